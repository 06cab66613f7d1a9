import pickle, os, sys, re
OUT = sys.argv[1]
files = pickle.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '.valid.pkl'),'rb'))
def find(prefix, idx=0):
    ks = sorted(k for k in files if k.startswith('valid/'+prefix))
    return ks[idx]
manifest = []
def twin(src, name, edits, code, note, enc=None, bom=None, raw=None, folder='invalid'):
    text, e, b = files[src]
    for (old, new, *cnt) in edits:
        n = cnt[0] if cnt else 1
        assert old in text, (name, old)
        text = text.replace(old, new, n)
    data = raw if raw is not None else text.encode(enc or e)
    if raw is None and (bom if bom is not None else b): data = b'\xef\xbb\xbf' + data
    os.makedirs(os.path.join(OUT, folder), exist_ok=True)
    open(os.path.join(OUT, folder, name), 'wb').write(data)
    manifest.append((folder, name, code, note))

ORD1 = find('SOCORDER', 0); ORD2 = find('SOCORDER', 1)
REP1 = find('EXECREPORT', 1); REP2 = find('EXECREPORT', 0)
AG1 = find('AGREEMENT', 0); AG2 = find('AGREEMENT_ACKFIN24_ACKPLAN24_20250305')
CER1 = find('SOCCERT', 0); CER2 = find('SOCCERT_ACKFIN24_GISSS24_20250702')
CON1 = find('CONTRACT_', 0); CON2 = find('CONTRACT_ACKFIN24_RPGU24_20250701')
NOT1 = find('CONTRACTNOTICE', 0); NOT2 = find('CONTRACTNOTICE_ACKFIN24_RPGU24_20250701')
SA1 = find('SVCASSIGN', 0); SA2 = find('SVCASSIGN', 1)
REC1 = find('RECEIPT', 0)

# --- parse (DG1xxx)
t = files[ORD1][0].encode()
twin(ORD1, 'socorder-truncated.xml', [], 'DG1004', 'The file ends in the middle of Section II', raw=t[:len(t)*2//3])
twin(ORD2, 'socorder-cp1251-undeclared.xml', [('<?xml version="1.0" encoding="windows-1251"?>', '<?xml version="1.0"?>')], 'DG1011', 'windows-1251 bytes without an encoding declaration')
twin(CER1, 'soccert-doctype.xml', [('<socialCertificate ', '<!DOCTYPE socialCertificate [<!ENTITY org "Минсоцполитики">]>\n<socialCertificate ')], 'DG1005', 'A DOCTYPE with an internal entity')
twin(AG1, 'agreement-not-well-formed.xml', [('<executorRegistryEntry>РИ-24-000137</executorRegistryEntry>', '<executorRegistryEntry>РИ-24-000137</executorRegistryentry>')], 'DG1003', 'Mismatched end tag')
# --- schema (DG2xxx)
twin(ORD1, 'socorder-unknown-namespace.xml', [('xmlns="urn://docgate/social-order/1"', 'xmlns="urn://docgate/social-order/2"')], 'DG2001', 'Root namespace of a format version docgate does not know')
twin(ORD1, 'socorder-missing-activity-area.xml', [('  <activityArea>Социальное обслуживание</activityArea>\n', '')], 'DG2002', 'Required element activityArea missing')
twin(AG1, 'agreement-bad-date.xml', [('<from>2025-01-01</from>', '<from>01.01.2025</from>')], 'DG2003', 'A date written DD.MM.YYYY instead of xs:date')
twin(CER1, 'soccert-missing-event.xml', [(' event="issued"', '')], 'DG2004', 'Required root attribute event missing')
twin(CON1, 'contract-negative-price.xml', [('<pricePerUnit>190.05</pricePerUnit>', '<pricePerUnit>-190.05</pricePerUnit>')], 'DG2003', 'A negative price')
twin(SA1, 'svcassign-bad-kek.xml', [('<kek>290</kek>', '<kek>300</kek>')], 'DG2003', 'КЭК article outside the 2007 list')
twin(REP1, 'execreport-unknown-element.xml', [('<periodicity>year</periodicity>', '<periodicity>year</periodicity>\n  <comment>Отчёт сдан досрочно</comment>')], 'DG2002', 'An element the schema does not know')
twin(REC1, 'receipt-bad-status.xml', [('<status>delivered</status>', '<status>done</status>')], 'DG2003', 'A status outside the enumeration')
# --- rules (DG3xxx)
twin(ORD1, 'socorder-inn-checksum.xml', [('<inn>2466012340</inn>', '<inn>2466012341</inn>')], 'DG3001', 'ИНН of the authorised body with a wrong check digit')
twin(AG1, 'agreement-ogrn-checksum.xml', [('<ogrn>1162468055200</ogrn>', '<ogrn>1162468055201</ogrn>')], 'DG3002', 'ОГРН of the executor with a wrong check digit')
twin(CER1, 'soccert-snils-checksum.xml', [('<snils>112-233-445 95</snils>', '<snils>112-233-445 96</snils>')], 'DG3003', 'СНИЛС of the recipient with a wrong check number')
twin(CON1, 'contract-regnum-latin.xml', [('<regNum>880000О.99.0.АЭ23АА01000</regNum>', '<regNum>880000O.99.0.АЭ23АА01000</regNum>')], 'DG3004', 'Latin O instead of Cyrillic О in the registry number')
twin(REP1, 'execreport-kpp-missing.xml', [('    <kpp>246501001</kpp>\n', '', 1)], 'DG3007', 'An executor organisation without КПП')
twin(ORD1, 'socorder-total-not-sum.xml', [('<competition>60</competition>\n            <certificate>120</certificate>', '<competition>65</competition>\n            <certificate>120</certificate>'),
                                           ('<competition>260</competition>', '<competition>265</competition>')], 'DG3010', 'Competition volume raised in Section I and II alike: totals no longer equal the methods')
twin(ORD1, 'socorder-sections-disagree.xml', [('<stateTaskBudgetAutonomous>820</stateTaskBudgetAutonomous>\n            <competition>60</competition>', '<stateTaskBudgetAutonomous>810</stateTaskBudgetAutonomous>\n            <competition>70</competition>')], 'DG3011', 'Section II split moved between methods: Section I no longer equals the sum of Section II')
twin(ORD1, 'socorder-plan-years.xml', [('<planYear1>2026</planYear1>', '<planYear1>2027</planYear1>')], 'DG3012', 'First plan year does not follow the financial year')
twin(REP1, 'execreport-deviation-wrong.xml', [('<actualDeviation>-1.22</actualDeviation>', '<actualDeviation>-1.20</actualDeviation>')], 'DG3020', 'Actual deviation misstated')
twin(REP1, 'execreport-deviation-no-reason.xml', [(re.search(r'\n      <deviationReason>[^<]*</deviationReason>', files[REP1][0]).group(0), '')], 'DG3021', 'Deviation beyond tolerance without a reason')
twin(REP1, 'execreport-sections-disagree.xml', [('<stateTaskTreasury>0</stateTaskTreasury>\n        <stateTaskBudgetAutonomous>2707</stateTaskBudgetAutonomous>', '<stateTaskTreasury>7</stateTaskTreasury>\n        <stateTaskBudgetAutonomous>2700</stateTaskBudgetAutonomous>')], 'DG3022', 'Section I facts split differently from Section II')
twin(REP1, 'execreport-no-agreement.xml', [(re.search(r'\n      <agreementRef>.*?</agreementRef>', files[REP1][0], re.S).group(0), '')], 'DG3023', 'A certificate row without its agreement')
twin(AG1, 'agreement-amount.xml', [('<normativeCost>9850.00</normativeCost>', '<normativeCost>9860.00</normativeCost>')], 'DG3030', 'Normative changed: amount is no longer volume × normative')
twin(AG1, 'agreement-year-total.xml', [('<yearTotal year="2026">', '<yearTotal year="2026">1'), ], 'DG3031', 'Yearly total does not equal the services and the payment schedule')
twin(AG1, 'agreement-kbk-chapter.xml', [('14810020320075200634', '15310020320075200634', 99)], 'DG3032', 'КБК of another chief administrator (153 instead of 148)')
twin(AG2, 'agreement-amended-without-base.xml', [(re.search(r'  <baseAgreementRef>.*?</baseAgreementRef>\n', files[AG2][0], re.S).group(0), '')], 'DG3033', 'Additional agreement without the base agreement')
twin(CER1, 'soccert-value.xml', [('<normativeCost>190.05</normativeCost>', '<normativeCost>190.50</normativeCost>')], 'DG3040', 'Value is not normative × volume')
twin(CER1, 'soccert-validity.xml', [('<validTo>2025-12-31</validTo>', '<validTo>2025-01-31</validTo>')], 'DG3041', 'Certificate expires before it starts')
twin(CER2, 'soccert-contracts-exceed.xml', [('      <volume>1</volume>\n      <amount>40000.00</amount>', '      <volume>2</volume>\n      <amount>40000.00</amount>')], 'DG3042', 'Contracts cover more than the certificate')
twin(CER1, 'soccert-recipient-without-snils.xml', [('      <snils>112-233-445 95</snils>\n', '')], 'DG3043', 'Recipient without СНИЛС')
twin(CON2, 'contract-amounts.xml', [('<amountPaidByConsumer>5600.00</amountPaidByConsumer>', '<amountPaidByConsumer>5000.00</amountPaidByConsumer>')], 'DG3050', 'Certificate share and consumer payment do not add up to the total')
twin(CON2, 'contract-terminated-without-termination.xml', [(re.search(r'  <termination>.*?</termination>\n', files[CON2][0], re.S).group(0), '')], 'DG3051', 'Terminated contract without the termination')
twin(SA1, 'svcassign-costs.xml', [('<q1>\n      <plan>38100000.00</plan>', '<q1>\n      <plan>38100100.00</plan>'), ('<plan>153865000.00</plan>', '<plan>153865100.00</plan>')], 'DG3060', 'З-1 is not the sum of З-1.1…З-1.7')
twin(SA1, 'svcassign-quarters.xml', [('<year>\n      <plan>14</plan>', '<year>\n      <plan>15</plan>')], 'DG3061', 'Р-2.1 for the year is not the sum of the quarters')
twin(SA2, 'svcassign-fact-after-quarter.xml', [('<q3>\n      <plan>2</plan>\n    </q3>', '<q3>\n      <plan>2</plan>\n      <fact>2</fact>\n    </q3>'), ('<plan>14</plan>\n      <fact>7</fact>', '<plan>14</plan>\n      <fact>9</fact>')], 'DG3064', 'A Q2 report with a fact for Q3')
twin(SA1, 'svcassign-normative.xml', [('<n>12611.89</n>', '<n>12611.98</n>')], 'DG3066', 'N is not K1 + K2 + K3 + K4')
twin(REC1, 'receipt-delivered-without-file.xml', [(re.search(r'  <deliveredAs>.*?</deliveredAs>\n', files[REC1][0], re.S).group(0), '')], 'DG3070', 'A delivered receipt without the delivered file name')
twin(CON1, 'contract-version-without-previous.xml', [('<version>1</version>', '<version>2</version>')], 'DG3080', 'Version 2 without previousVersionId')
twin(ORD1, 'SOCORDER_ACKFIN24_ACKPLAN24_20241220_0b6f7c1e-2a44-4c8e-9a51-3f1d2e7a9c10.xml', [], 'DG3090', 'The GUID in the file name is not the root id')
twin(REP1, 'execreport-created-in-future.xml', [('<createdAt>2026-01-15T11:20:00+07:00</createdAt>', '<createdAt>2099-01-15T11:20:00+07:00</createdAt>')], 'DG3092', 'Creation time in the future')
# A later version (the first one cannot carry these events, DG3081): version 2 after an imagined version 1.
V2 = ('<version>1</version>', '<version>2</version>\n    <previousVersionId>00000000-0000-4000-8000-0000000000a1</previousVersionId>')
twin(CER1, 'soccert-cancelled-but-active.xml', [(' event="issued"', ' event="cancelled"'), V2], 'DG3044', 'A cancelled certificate (version 2) still in state active')
twin(AG1, 'agreement-concluded-with-termination.xml', [('  </informing>\n</agreement>', '  </informing>\n  <termination>\n    <date>2025-12-31</date>\n    <reason>Соглашение сторон</reason>\n  </termination>\n</agreement>')], 'DG3033', 'A concluded agreement (event=concluded) that carries a termination')
twin(AG1, 'agreement-terminated-before-its-term.xml', [(' event="concluded"', ' event="terminated"'), V2, ('  </informing>\n</agreement>', '  </informing>\n  <termination>\n    <date>2024-12-01</date>\n    <reason>Соглашение сторон</reason>\n  </termination>\n</agreement>')], 'DG3033', 'Terminated (version 2) on 2024-12-01, before its term begins on 2025-01-01')
twin(CON2, 'contract-terminated-after-its-term.xml', [('<date>2025-07-01</date>\n    <reasonCode>', '<date>2025-09-15</date>\n    <reasonCode>')], 'DG3051', 'Terminated on 2025-09-15, after the term ended on 2025-08-31')
twin(CON1, 'contract-concluded-with-termination.xml', [('  </service>\n</contract>', '  </service>\n  <termination>\n    <date>2025-06-30</date>\n    <reasonCode>02</reasonCode>\n    <reasonText>Расторжение по соглашению сторон</reasonText>\n  </termination>\n</contract>')], 'DG3051', 'A concluded contract (event=concluded) that carries a termination')
twin(NOT2, 'contractnotice-termination-without-termination.xml', [(re.search(r'  <termination>.*?</termination>\n', files[NOT2][0], re.S).group(0), '')], 'DG3052', 'A termination notice without the termination')
twin(NOT1, 'contractnotice-before-its-contract.xml', [('<date>2025-02-07</date>\n    <createdAt>', '<date>2025-02-06</date>\n    <createdAt>')], 'DG3052', 'A notice dated 2025-02-06, the day before the contract it reports on')
twin(NOT1, 'contractnotice-wrong-type.xml', [(' type="conclusion"', ' type="concluded"')], 'DG2003', 'A notice type outside the enumeration (conclusion, termination)')
twin(NOT2, 'contractnotice-before-its-termination.xml', [('<date>2025-07-01</date>\n    <createdAt>', '<date>2025-06-16</date>\n    <createdAt>')], 'DG3052', 'A termination notice dated 2025-06-16, before the termination on 2025-07-01 it reports')
twin(NOT1, 'contractnotice-draft.xml', [('<status>approved</status>', '<status>draft</status>')], 'DG3081', 'A notice whose header says draft')
twin(CON2, 'contract-first-version-terminated.xml', [(re.search(r'<version>2</version>\n\s*<previousVersionId>[^<]*</previousVersionId>', files[CON2][0]).group(0), '<version>1</version>')], 'DG3081', 'A contract whose first version is already terminated: a life begins as a draft or concluded')
twin(CON1, 'contract-draft-status-concluded.xml', [('<status>approved</status>', '<status>draft</status>')], 'DG3081', 'A concluded contract (event=concluded) whose header says draft')
twin(SA1, 'svcassign-dated-in-its-year.xml', [('<date>2007-12-24</date>', '<date>2008-01-15</date>'), ('<createdAt>2007-12-24T', '<createdAt>2008-01-15T')], 'DG3068', 'The 2008 assignment dated 2008-01-15, after its year began')
twin(SA1, 'svcassign-no-costs.xml', [(m.group(0), '', 1) for m in re.finditer(r'  <row code="З-1(\.\d)?">.*?</row>\n', files[SA1][0], re.S)], 'DG3069', 'An assignment without its cost rows З-1, З-1.1…З-1.7')
twin(SA2, 'svcassign-q4-without-facts.xml', [('<reportQuarter>2</reportQuarter>', '<reportQuarter>4</reportQuarter>')], 'DG3064', 'A report for Q4 with facts for Q1 and Q2 only')
# --- warnings only: the document stays valid
twin(SA1, 'svcassign-digit-three-code.xml', [('<row code="З-1.1">', '<row code="3-1.1">')], 'DG3065', 'Row code «3-1.1» with the digit 3 (OCR artefact of «З»)', folder='warnings')
twin(SA2, 'svcassign-late-report.xml', [('<date>2008-07-18</date>', '<date>2008-07-21</date>')], 'DG3067', 'Q2 report dated the 21st', folder='warnings')
twin(ORD2, 'socorder-wide-deviation.xml', [('<allowedDeviation>10</allowedDeviation>', '<allowedDeviation>15</allowedDeviation>')], 'DG3013', 'Allowed deviation of 15 %', folder='warnings')
twin(AG1, 'agreement-nonstandard-regnum.xml', [('880000О.99.0.АЭ22АА01000', '22.041.0')], 'DG3005', 'A registry number not in the registry format', folder='warnings')
twin(CER1, 'soccert-unknown-okei.xml', [('okei="539"', 'okei="9113"')], 'DG3006', 'ОКЕИ code not in the directory', folder='warnings')
twin(SA1, 'svcassign-latin-p-code.xml', [('<row code="Р-1">', '<row code="P-1">')], 'DG3065', 'Row code «P-1» with the Latin letter P (read as «Р-1»)', folder='warnings')
twin(AG1, 'agreement-unit-cost-rounded.xml', [('<amount>5745757.50</amount>', '<amount>5745759.00</amount>'), ('<yearTotal year="2025">6927757.50</yearTotal>', '<yearTotal year="2025">6927759.00</yearTotal>'),
                                              ('<period>2025-Q4</period>\n      <kbk>14810020320075200634</kbk>\n      <amount>1731939.36</amount>', '<period>2025-Q4</period>\n      <kbk>14810020320075200634</kbk>\n      <amount>1731940.86</amount>')],
     'DG3034', 'The 2025 amount from the unit cost rounded to kopecks: 300 × 19 152.53 = 5 745 759.00 against 300 × 18 240.50 × 1.05 = 5 745 757.50 (1.50 ₽ ≤ 300 × 0.005 ₽)', folder='warnings')

for folder in ('invalid', 'warnings'):
    rows = [m for m in manifest if m[0] == folder]
    with open(os.path.join(OUT, folder, 'manifest.tsv'), 'w') as f:
        f.write('# file\texpected code\tdefect (each file differs from a valid sample in Samples/valid by this one defect)\n')
        for (_, name, code, note) in rows: f.write(f'{name}\t{code}\t{note}\n')
print(len(manifest), 'twins')
