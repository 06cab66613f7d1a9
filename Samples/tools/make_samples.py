import os, uuid, hashlib, sys
from decimal import Decimal, ROUND_HALF_UP
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1]
NS = uuid.UUID('6f1b2c3d-0000-4000-8000-00000000d0c6')
def uid(name): return str(uuid.uuid5(NS, name))
def r2(x): return Decimal(x).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)
def esc(s): return s.replace('&','&amp;').replace('<','&lt;').replace('>','&gt;').replace('"','&quot;')

ORG = {
 'minsoc': dict(fullName='Министерство социальной политики Красноярского края', shortName='Минсоцполитики Красноярского края', inn='2466012340', kpp='246601001', ogrn='1022401123458', consRegCode='04201480', budgetChapter='148', oktmo='04701000', kind='authority', address='660049, г. Красноярск, ул. Ленина, д. 125'),
 'agency': dict(fullName='Агентство труда и занятости населения Красноярского края', shortName='Агентство труда и занятости', inn='2463029113', kpp='246301001', ogrn='1022400965322', consRegCode='04201530', budgetChapter='153', oktmo='04701000', kind='authority', address='660021, г. Красноярск, ул. Копылова, д. 21'),
 'kcson': dict(fullName='Краевое государственное бюджетное учреждение социального обслуживания «Комплексный центр социального обслуживания населения «Октябрьский»', shortName='КГБУ СО «КЦСОН «Октябрьский»', inn='2465003015', kpp='246501001', ogrn='1122468001457', kind='budgetInstitution', address='660062, г. Красноярск, ул. Высотная, д. 2'),
 'ano': dict(fullName='Автономная некоммерческая организация «Центр социальных услуг «Забота»', shortName='АНО «Забота»', inn='2461004522', kpp='246101001', ogrn='1162468055200', kind='nonProfit', address='660077, г. Красноярск, ул. 78 Добровольческой бригады, д. 15'),
 'ooo': dict(fullName='Общество с ограниченной ответственностью «Учебный центр «Профи»', shortName='ООО «УЦ «Профи»', inn='2462007734', kpp='246201001', ogrn='1022400777772', kind='commercial', address='660135, г. Красноярск, ул. Весны, д. 7'),
 'dszn': dict(fullName='Департамент социальной защиты населения Томской области', inn='7017005673', kpp='701701001', ogrn='1027001239870', budgetChapter='845', okato='69401000000', kind='authority', address='634041, г. Томск, пр. Кирова, д. 41'),
 'ogu': dict(fullName='Областное государственное учреждение «Центр социальной поддержки населения Советского района г. Томска»', shortName='ОГУ «ЦСПН Советского района г. Томска»', inn='7017012889', kpp='701701001', ogrn='1027000098542', kind='budgetInstitution', address='634050, г. Томск, ул. Пушкина, д. 6'),
}
def org(tag, key, ind='  '):
    o = ORG[key]; out=[f'{ind}<{tag}>']
    for k in ['fullName','shortName','inn','kpp','ogrn','consRegCode','budgetChapter','oktmo','okato','kind','address']:
        if k in o: out.append(f'{ind}  <{k}>{esc(o[k])}</{k}>')
    out.append(f'{ind}</{tag}>'); return '\n'.join(out)

def header(number, date, created, version=1, status='approved', prev=None, system='АЦК-Планирование', ind='  '):
    h=[f'{ind}<header>', f'{ind}  <number>{esc(number)}</number>', f'{ind}  <date>{date}</date>', f'{ind}  <createdAt>{created}</createdAt>', f'{ind}  <version>{version}</version>']
    if prev: h.append(f'{ind}  <previousVersionId>{prev}</previousVersionId>')
    h += [f'{ind}  <status>{status}</status>', f'{ind}  <source>', f'{ind}    <system>{esc(system)}</system>', f'{ind}    <documentClassId>SO-{number.split("/")[0]}</documentClassId>', f'{ind}  </source>', f'{ind}</header>']
    return '\n'.join(h)

def ref(tag, kind, id_, number, date, version=None, ind='  '):
    s=[f'{ind}<{tag}>', f'{ind}  <kind>{kind}</kind>']
    if id_: s.append(f'{ind}  <id>{id_}</id>')
    s += [f'{ind}  <number>{esc(number)}</number>', f'{ind}  <date>{date}</date>']
    if version: s.append(f'{ind}  <version>{version}</version>')
    s.append(f'{ind}</{tag}>'); return '\n'.join(s)

def vols(tag, v, ind):
    t,b,c,s = v; total=t+b+c+s
    return '\n'.join([f'{ind}<{tag}>', f'{ind}  <total>{total}</total>', f'{ind}  <stateTaskTreasury>{t}</stateTaskTreasury>', f'{ind}  <stateTaskBudgetAutonomous>{b}</stateTaskBudgetAutonomous>', f'{ind}  <competition>{c}</competition>', f'{ind}  <certificate>{s}</certificate>', f'{ind}</{tag}>'])

def indicator(name, unit, okei, ind, tag='indicator'):
    return f'{ind}<{tag} okei="{okei}">\n{ind}  <name>{esc(name)}</name>\n{ind}  <unitName>{esc(unit)}</unitName>\n{ind}</{tag}>'

def place(oktmo, text, ind, tag='place'):
    return f'{ind}<{tag}>\n{ind}  <oktmo>{oktmo}</oktmo>\n{ind}  <text>{esc(text)}</text>\n{ind}</{tag}>'

def service(s, ind, tag='service', extra=''):
    out=[f'{ind}<{tag}>', f'{ind}  <regNum>{s["regNum"]}</regNum>', f'{ind}  <name>{esc(s["name"])}</name>']
    if s.get('agg'): out.append(f'{ind}  <aggregatedServiceName>{esc(s["agg"])}</aggregatedServiceName>')
    out.append(f'{ind}  <conditions>{esc(s["conditions"])}</conditions>')
    for c in s['categories']: out.append(f'{ind}  <consumerCategory>{esc(c)}</consumerCategory>')
    out.append(place(s['oktmo'], s['place'], ind+'  '))
    if extra: out.append(extra)
    out.append(f'{ind}</{tag}>'); return '\n'.join(out)

def doc(root, ns, id_, body, attrs='', encoding='UTF-8'):
    return f'<?xml version="1.0" encoding="{encoding}"?>\n<{root} xmlns="{ns}" id="{id_}" formatVersion="1.0"{attrs}>\n{body}\n</{root}>\n'

files = {}   # name -> (text, encoding, bom)
def put(dirname, name, text, encoding='utf-8', bom=False):
    files[f'{dirname}/{name}'] = (text, encoding, bom)

AGG1 = 'Социальное обслуживание граждан'
KRS = ('04701000', 'г. Красноярск')
S1 = dict(regNum='870000О.99.0.АЭ21АА01000', name='Предоставление социального обслуживания в стационарной форме', agg=AGG1, conditions='Стационарная форма', categories=['Граждане, признанные нуждающимися в социальном обслуживании'], oktmo=KRS[0], place=KRS[1])
S2 = dict(regNum='880000О.99.0.АЭ22АА01000', name='Предоставление социального обслуживания в полустационарной форме', agg=AGG1, conditions='Полустационарная форма', categories=['Граждане, признанные нуждающимися в социальном обслуживании'], oktmo=KRS[0], place=KRS[1])
S3 = dict(regNum='880000О.99.0.АЭ23АА01000', name='Предоставление социального обслуживания в форме социального обслуживания на дому', agg=AGG1, conditions='Форма социального обслуживания на дому', categories=['Граждане пожилого возраста', 'Инвалиды'], oktmo=KRS[0], place=KRS[1])
IND1 = ('Численность граждан, получивших социальные услуги', 'Человек', '792')
ORDER1_VOL = {2025: {'S1':(0,410,0,40),'S2':(0,820,60,120),'S3':(0,1500,200,300)},
              2026: {'S1':(0,400,0,50),'S2':(0,800,70,150),'S3':(0,1450,220,380)},
              2027: {'S1':(0,390,0,60),'S2':(0,780,80,180),'S3':(0,1400,240,460)}}
SVC = {'S1':S1,'S2':S2,'S3':S3}

def order_doc(oid, number, authority, area, budget, period, svcs, volmap, agg, ind_, kinds, allowed, quality, decision=True, beyond=None, encoding='UTF-8', prev=None, version=1, status='approved', created='2024-12-20T10:15:00+07:00'):
    fy = period[0]
    b=[header(number, created[:10], created, version=version, status=status, prev=prev), org('authorizedBody', authority),
       f'  <activityArea>{esc(area)}</activityArea>',
       f'  <budget>\n    <code>{budget[0]}</code>\n    <name>{esc(budget[1])}</name>\n  </budget>',
       f'  <planningPeriod>\n    <financialYear>{period[0]}</financialYear>\n    <planYear1>{period[1]}</planYear1>\n    <planYear2>{period[2]}</planYear2>' + (f'\n    <beyondTo>{beyond}</beyondTo>' if beyond else '') + '\n  </planningPeriod>']
    if decision:
        b.append(ref('organizationDecision','organizationDecision',None,'412-п','2024-06-14'))
    g=['  <generalInfo>']
    for (year,kind) in kinds:
        tot=[0,0,0,0]
        for k in svcs:
            for i in range(4): tot[i]+=volmap[year][k][i]
        g.append(f'    <yearBlock year="{year}" kind="{kind}">\n      <item>\n        <service>\n          <name>{esc(agg)}</name>\n        </service>\n        <yearOfDetermination>{fy}</yearOfDetermination>\n{place(KRS[0],KRS[1],"        ")}\n{indicator(*ind_,"        ")}\n{vols("volumes",tuple(tot),"        ")}\n      </item>\n    </yearBlock>')
    g.append('  </generalInfo>')
    b.append('\n'.join(g))
    v=['  <volumeInfo>', f'    <aggregatedService name="{esc(agg)}">']
    for k in svcs:
        s=SVC[k]
        yv='\n'.join(f'        <yearValue year="{y}">\n{vols("volumes",volmap[y][k],"          ")}\n        </yearValue>' for (y,_) in kinds)
        v.append(f'      <item>\n{service(s,"        ")}\n        <authorizedBody>{esc(ORG[authority]["shortName"])}</authorizedBody>\n        <serviceTerm>\n          <from>{fy}-01-01</from>\n          <to>{kinds[-1][0]}-12-31</to>\n        </serviceTerm>\n        <yearOfDetermination>{fy}</yearOfDetermination>\n{indicator(*ind_,"        ")}\n{yv}\n        <allowedDeviation>{allowed}</allowedDeviation>\n      </item>')
    v += ['    </aggregatedService>', '  </volumeInfo>']
    b.append('\n'.join(v))
    if quality:
        q=['  <qualityInfo>']
        for (k, qname, unit, okei, val, dev) in quality:
            s=SVC[k]
            q.append(f'    <item>\n      <serviceRegNum>{s["regNum"]}</serviceRegNum>\n      <serviceName>{esc(s["name"])}</serviceName>\n      <yearOfDetermination>{fy}</yearOfDetermination>\n{place(KRS[0],KRS[1],"      ")}\n{indicator(qname,unit,okei,"      ")}\n      <value>{val}</value>\n      <allowedDeviation>{dev}</allowedDeviation>\n    </item>')
        q.append('  </qualityInfo>'); b.append('\n'.join(q))
    return doc('socialOrder','urn://docgate/social-order/1',oid,'\n'.join(b),encoding=encoding)

ORDER1_ID = uid('order-1')
Q1 = [('S1','Доля получателей социальных услуг, удовлетворённых качеством их предоставления','Процент','744','95',3),
      ('S3','Доля получателей, которым услуги предоставлены в соответствии с индивидуальной программой','Процент','744','100',0)]
order1 = order_doc(ORDER1_ID, '24-СЗ/2025-01', 'minsoc', 'Социальное обслуживание', ('04000000','Краевой бюджет Красноярского края'), (2025,2026,2027), ['S1','S2','S3'], ORDER1_VOL, AGG1, IND1, [(2025,'next'),(2026,'plan1'),(2027,'plan2')], 5, Q1)
put('valid', f'SOCORDER_ACKFIN24_ACKPLAN24_20241220_{ORDER1_ID}.xml', order1)

# Order 2 — employment, windows-1251
AGG2 = 'Содействие занятости населения'
E1 = dict(regNum='853000Р.99.0.БА01АА00000', name='Организация профессионального обучения и дополнительного профессионального образования безработных граждан', agg=AGG2, conditions='Очная форма', categories=['Безработные граждане'], oktmo=KRS[0], place=KRS[1])
E2 = dict(regNum='853000Р.99.0.БА02АА00000', name='Организация профессионального обучения женщин в период отпуска по уходу за ребёнком до достижения им возраста трёх лет', agg=AGG2, conditions='Очно-заочная форма', categories=['Женщины в период отпуска по уходу за ребёнком'], oktmo=KRS[0], place=KRS[1])
SVC.update({'E1':E1,'E2':E2})
IND2 = ('Численность граждан, прошедших профессиональное обучение', 'Человек', '792')
ORDER2_VOL = {2025: {'E1':(0,0,350,150),'E2':(0,0,80,40)}, 2026: {'E1':(0,0,340,180),'E2':(0,0,85,45)}, 2027: {'E1':(0,0,330,210),'E2':(0,0,90,50)}, 2028: {'E1':(0,0,300,240),'E2':(0,0,90,60)}}
ORDER2_ID = uid('order-2')
order2 = order_doc(ORDER2_ID, '24-ЗН/2025-03', 'agency', 'Содействие занятости', ('04000000','Краевой бюджет Красноярского края'), (2025,2026,2027), ['E1','E2'], ORDER2_VOL, AGG2, IND2, [(2025,'next'),(2026,'plan1'),(2027,'plan2'),(2028,'beyond')], 10, None, decision=False, beyond=2028, encoding='windows-1251', created='2024-12-23T16:40:00+07:00')
put('valid', f'SOCORDER_ACKFIN24_ACKPLAN24_20241223_{ORDER2_ID}.xml', order2, 'cp1251')

# Execution report 1 (for order 1, 2025)
def pct(plan, fact):
    if plan == 0: return Decimal(0)
    return r2(Decimal(fact-plan)*100/Decimal(plan))
REPORT_ROWS = [  # (svc, executor, method, plan, fact, allowed, reason)
 ('S1','kcson','stateTaskBudgetAutonomous',410,405,5,None),
 ('S1','ano','certificate',40,36,5,'Двое получателей отказались от сертификата в связи с переездом, двое — в связи с госпитализацией'),
 ('S2','kcson','stateTaskBudgetAutonomous',820,812,5,None),
 ('S2','ano','competition',60,61,5,None),
 ('S2','ano','certificate',120,118,5,None),
 ('S3','kcson','stateTaskBudgetAutonomous',1500,1490,5,None),
 ('S3','ano','competition',200,200,5,None),
 ('S3','ano','certificate',300,288,5,None),
]
AGR1_ID = uid('agreement-cert-1'); AGR2_ID = uid('agreement-comp-2'); AGR2_V1 = uid('agreement-comp-1')
def report_doc(rid, number, order_id, order_number, rows, facts_override=None, encoding='UTF-8', drop_agreement=None):
    b=[header(number,'2026-01-15','2026-01-15T11:20:00+07:00', system='АЦК-Планирование'), org('authorizedBody','minsoc'),
       '  <activityArea>Социальное обслуживание</activityArea>', '  <reportingYear>2025</reportingYear>', '  <reportDate>2026-01-01</reportDate>', '  <periodicity>year</periodicity>',
       ref('socialOrderRef','socialOrder',order_id,order_number,'2024-12-20',1)]
    plan=[0,0,0,0]; fact=[0,0,0,0]; mi={'stateTaskTreasury':0,'stateTaskBudgetAutonomous':1,'competition':2,'certificate':3}
    for r in rows: plan[mi[r[2]]]+=r[3]; fact[mi[r[2]]]+=r[4]
    if facts_override: fact = facts_override
    b.append(f'  <volumeSummary>\n    <item>\n      <service>\n        <name>{AGG1}</name>\n      </service>\n      <yearOfDetermination>2025</yearOfDetermination>\n{place(KRS[0],KRS[1],"      ")}\n{indicator(*IND1,"      ")}\n{vols("plan",tuple(plan),"      ")}\n{vols("fact",tuple(fact),"      ")}\n    </item>\n  </volumeSummary>')
    d=['  <volumeDetail>']
    for i,(k,ex,method,p,f,allowed,reason) in enumerate(rows):
        agr=''
        if method in ('competition','certificate') and drop_agreement != i:
            # СС-24/2025-017 covers the semi-stationary and home services; the stationary one (S1) has its own
            # certificate agreement (СС-24/2025-021, not among the samples).
            cert_ref = ref('agreementRef','agreement',uid('agreement-cert-s1'),'СС-24/2025-021','2025-01-27',None,'      ') if k=='S1' else ref('agreementRef','agreement',AGR1_ID,'СС-24/2025-017','2025-01-20',None,'      ')
            agr='\n'+ (cert_ref if method=='certificate' else ref('agreementRef','agreement',AGR2_ID,'К-24/2025-004/ДС-1','2025-03-05',2,'      '))
        rs = f'\n      <deviationReason>{esc(reason)}</deviationReason>' if reason else ''
        reg = '\n      <executorRegistryEntry>РИ-24-000137</executorRegistryEntry>' if method=='certificate' else ''
        d.append(f'    <item>\n{service(SVC[k],"      ")}\n{org("executor",ex,"      ")}{reg}\n      <method>{method}</method>{agr}\n{indicator(*IND1,"      ")}\n      <planValue>{p}</planValue>\n      <factValue>{f}</factValue>\n      <allowedDeviation>{allowed}</allowedDeviation>\n      <actualDeviation>{pct(p,f)}</actualDeviation>{rs}\n    </item>')
    d.append('  </volumeDetail>'); b.append('\n'.join(d))
    b.append(f'  <qualityDetail>\n    <item>\n      <serviceRegNum>{S1["regNum"]}</serviceRegNum>\n{org("executor","kcson","      ")}\n{indicator(Q1[0][1],"Процент","744","      ")}\n      <planValue>95</planValue>\n      <factValue>96.5</factValue>\n      <allowedDeviation>3</allowedDeviation>\n      <actualDeviation>{pct(95, Decimal("96.5"))}</actualDeviation>\n    </item>\n  </qualityDetail>')
    return doc('executionReport','urn://docgate/execution-report/1',rid,'\n'.join(b),encoding=encoding)
REPORT1_ID = uid('report-1')
report1 = report_doc(REPORT1_ID, '24-СЗ/ОТЧ-2025', ORDER1_ID, '24-СЗ/2025-01', REPORT_ROWS)
put('valid', f'EXECREPORT_ACKFIN24_ACKPLAN24_20260115_{REPORT1_ID}.xml', report1)
# Report 2: same order, half-year interim report, UTF-8 with BOM
REPORT_ROWS_H = [(k,ex,m,p//2,f//2 + (1 if m=='competition' else 0),a,r) for (k,ex,m,p,f,a,r) in REPORT_ROWS]
REPORT2_ID = uid('report-2')
report2 = report_doc(REPORT2_ID, '24-СЗ/ОТЧ-2025-П1', ORDER1_ID, '24-СЗ/2025-01', REPORT_ROWS_H).replace('<periodicity>year</periodicity>','<periodicity>halfYear</periodicity>').replace('<reportDate>2026-01-01</reportDate>','<reportDate>2025-07-01</reportDate>').replace('2026-01-15','2025-07-14')
put('valid', f'EXECREPORT_ACKFIN24_ACKPLAN24_20250714_{REPORT2_ID}.xml', report2, bom=True)

# Agreements
KBK_CERT = '14810020320075200634'
KBK_COMP = '14810020320075210633'
def agreement_doc(aid, number, kind, event, svc_lines, kbk, term=('2025-01-01','2027-12-31'), version=1, prev=None, base=None, comp=None, date='2025-01-20', status='approved', schedule=True,
                  grantor='minsoc', executor='ano', order=None, registry='РИ-24-000137', ind=None, deadline=10):
    order = order or (ORDER1_ID,'24-СЗ/2025-01','2024-12-20'); ind = ind or IND1
    b=[header(number,date,date+'T09:30:00+07:00',version=version,status=status,prev=prev,system='АЦК-Финансы')]
    if base: b.append(base)
    b.append(ref('socialOrderRef','socialOrder',order[0],order[1],order[2],1))
    if comp: b.append(comp)
    b.append(org('grantor',grantor)); b.append(org('executor',executor))
    if kind=='certificate': b.append(f'  <executorRegistryEntry>{registry}</executorRegistryEntry>')
    b.append(f'  <term>\n    <from>{term[0]}</from>\n    <to>{term[1]}</to>\n  </term>')
    totals={}
    for (k, yvals, allowed) in svc_lines:
        yv=[]
        for (y, vol, norm, factor) in yvals:
            amt = r2(Decimal(vol)*Decimal(norm)*(Decimal(factor) if factor else 1))
            totals[y]=totals.get(y,Decimal(0))+amt
            cf = f'\n            <correctionFactor>{factor}</correctionFactor>' if factor else ''
            yv.append(f'          <yearValue year="{y}">\n            <volume>{vol}</volume>\n            <normativeCost>{norm}</normativeCost>{cf}\n            <amount>{amt}</amount>\n            <kbk>{kbk}</kbk>\n          </yearValue>')
        extra = f'{indicator(*ind,"    ")}\n    <allowedDeviation>{allowed}</allowedDeviation>\n' + '\n'.join(x[2:] for x in yv)
        b.append(service(SVC[k],'  ',extra=extra))
    if schedule:
        p=['  <paymentSchedule>']
        for y in sorted(totals):
            t=totals[y]; q=r2(t/4)
            parts=[q,q,q,t-3*q]
            for i,a in enumerate(parts):
                p.append(f'    <payment>\n      <period>{y}-Q{i+1}</period>\n      <kbk>{kbk}</kbk>\n      <amount>{a}</amount>\n    </payment>')
        p.append('  </paymentSchedule>'); b.append('\n'.join(p))
    b.append('  <totals>\n' + '\n'.join(f'    <yearTotal year="{y}">{totals[y]}</yearTotal>' for y in sorted(totals)) + '\n  </totals>')
    b.append(f'  <reporting>\n    <reportForm>Отчёт об оказании услуг по социальным сертификатам</reportForm>\n    <frequency>ежеквартально</frequency>\n    <deadlineDay>{deadline}</deadlineDay>\n  </reporting>')
    b.append('  <informing>\n    <item>\n      <method>Размещение информации на официальном сайте исполнителя</method>\n      <content>Перечень услуг, порядок и условия их оказания, стоимость</content>\n      <frequency>по мере изменения, не реже одного раза в квартал</frequency>\n    </item>\n  </informing>')
    return doc('agreement','urn://docgate/agreement/1',aid,'\n'.join(b),attrs=f' kind="{kind}" event="{event}"')
AG1_LINES = [('S2', [(2025,120,'9850.00',None),(2026,150,'10240.00',None),(2027,180,'10650.00',None)], 5),
             ('S3', [(2025,300,'18240.50','1.05000'),(2026,380,'18970.10','1.05000'),(2027,460,'19728.90','1.05000')], 5)]
agr1 = agreement_doc(AGR1_ID, 'СС-24/2025-017', 'certificate', 'concluded', AG1_LINES, KBK_CERT)
put('valid', f'AGREEMENT_ACKFIN24_ACKPLAN24_20250120_{AGR1_ID}.xml', agr1)
AG2_LINES = [('S2', [(2025,60,'9850.00',None),(2026,70,'10240.00',None),(2027,80,'10650.00',None)], 5),
             ('S3', [(2025,200,'18240.50',None),(2026,220,'18970.10',None),(2027,240,'19728.90',None)], 5)]
# The base agreement of the competition (v1), and its additional agreement (v2, its own number), which moved the
# reporting deadline from the 15th to the 10th.
agr2_v1 = agreement_doc(AGR2_V1, 'К-24/2025-004', 'competition', 'concluded', AG2_LINES, KBK_COMP,
    comp=ref('competitionRef','competition',None,'КОН-24/2025-002','2025-01-28'), date='2025-02-10', deadline=15)
put('valid', f'AGREEMENT_ACKFIN24_ACKPLAN24_20250210_{AGR2_V1}.xml', agr2_v1)
agr2 = agreement_doc(AGR2_ID, 'К-24/2025-004/ДС-1', 'competition', 'amended', AG2_LINES, KBK_COMP, version=2, prev=AGR2_V1,
    base=ref('baseAgreementRef','agreement',AGR2_V1,'К-24/2025-004','2025-02-10',1),
    comp=ref('competitionRef','competition',None,'КОН-24/2025-002','2025-01-28'), date='2025-03-05', status='amended')
put('valid', f'AGREEMENT_ACKFIN24_ACKPLAN24_20250305_{AGR2_ID}.xml', agr2)
# The agency's certificate agreement with the training centre, under which contract ПО-118/2025 is made.
AGR3_ID = uid('agreement-cert-3')
agr3 = agreement_doc(AGR3_ID, 'СС-24/2025-044', 'certificate', 'concluded', [('E1', [(2025,60,'45600.00',None)], 10)], '15304010620075200634',
    term=('2025-02-14','2025-12-31'), date='2025-02-14', grantor='agency', executor='ooo', order=(ORDER2_ID,'24-ЗН/2025-03','2024-12-23'),
    registry='РИ-24-000212', ind=IND2)
put('valid', f'AGREEMENT_ACKFIN24_ACKPLAN24_20250214_{AGR3_ID}.xml', agr3)

# Social certificates
PERSON1 = dict(lastName='Петрова', firstName='Анна', middleName='Сергеевна', birthDate='1948-03-12', snils='112-233-445 95', doc=('21','0403','512345','2003-05-20','ОВД Октябрьского района г. Красноярска'))
PERSON2 = dict(lastName='Кузнецов', firstName='Иван', middleName='Петрович', birthDate='1986-11-02', snils='123-456-789 64', doc=('21','0407','834211','2007-12-01','УФМС России по Красноярскому краю'))
def person(tag, p, ind='  ', snils=True):
    s=[f'{ind}<{tag}>', f'{ind}  <lastName>{p["lastName"]}</lastName>', f'{ind}  <firstName>{p["firstName"]}</firstName>', f'{ind}  <middleName>{p["middleName"]}</middleName>', f'{ind}  <birthDate>{p["birthDate"]}</birthDate>']
    if snils: s.append(f'{ind}  <snils>{p["snils"]}</snils>')
    d=p['doc']
    s.append(f'{ind}  <identityDocument>\n{ind}    <type>{d[0]}</type>\n{ind}    <series>{d[1]}</series>\n{ind}    <number>{d[2]}</number>\n{ind}    <issueDate>{d[3]}</issueDate>\n{ind}    <issuer>{d[4]}</issuer>\n{ind}  </identityDocument>')
    s.append(f'{ind}</{tag}>'); return '\n'.join(s)
IND_HOURS = ('Объём социальных услуг на дому', 'Человеко-час', '539')
CERT1_ID = uid('cert-1'); CERT2_ID = uid('cert-2')
def cert_doc(cid, number, issuer, person_, svc, ind_, volume, norm, period, validity, executors, contracts=None, encoding='UTF-8', event='issued', snils=True, value=None):
    val = value if value is not None else r2(Decimal(volume)*Decimal(norm))
    b=[header(number, validity[0][:10] if False else '2025-02-03', '2025-02-03T14:05:00+07:00', system='Региональная ГИС «Социальный сертификат»'),
       f'  <general>\n{org("issuer",issuer,"    ")}\n    <issueDate>2025-02-03</issueDate>\n    <validFrom>{validity[0]}</validFrom>\n    <validTo>{validity[1]}</validTo>\n    <state>active</state>\n{person("recipient",person_,"    ",snils)}\n    <consumerCategory>{esc(svc["categories"][0])}</consumerCategory>\n{ref("socialOrderRef","socialOrder",ORDER1_ID if issuer=="minsoc" else ORDER2_ID,"24-СЗ/2025-01" if issuer=="minsoc" else "24-ЗН/2025-03","2024-12-20" if issuer=="minsoc" else "2024-12-23",1,"    ")}\n  </general>']
    ex='\n'.join(f'      <allowedExecutor>\n        <inn>{ORG[e]["inn"]}</inn>\n        <registryEntry>РИ-24-000137</registryEntry>\n      </allowedExecutor>' for e in executors)
    extra=f'{indicator(*ind_,"    ")}\n    <volume>{volume}</volume>\n    <normativeCost>{norm}</normativeCost>\n    <value>{val}</value>\n    <servicePeriod>\n      <from>{period[0]}</from>\n      <to>{period[1]}</to>\n    </servicePeriod>\n' + '\n'.join(x[2:] for x in ex.split('\n'))
    b.append('  <services>\n' + service(svc,'    ',extra=extra.replace('\n','\n  ').replace('    <indicator','    <indicator',1) if False else None) if False else None)
    b.pop()
    sv=[f'  <services>', service(svc,'    ', extra='\n'.join('  '+l for l in extra.split('\n'))), '  </services>']
    b.append('\n'.join(sv))
    if contracts:
        c=['  <contracts>']
        for (cref, ex_, vol, amt, outcome) in contracts:
            o = f'\n      <outcome>\n        <factVolume>{outcome[0]}</factVolume>\n        <completedOn>{outcome[1]}</completedOn>\n        <state>{outcome[2]}</state>\n      </outcome>' if outcome else ''
            c.append(f'    <contract>\n{cref}\n      <executor>\n        <inn>{ORG[ex_]["inn"]}</inn>\n        <ogrn>{ORG[ex_]["ogrn"]}</ogrn>\n        <name>{esc(ORG[ex_]["shortName"])}</name>\n      </executor>\n      <serviceRegNum>{svc["regNum"]}</serviceRegNum>\n      <volume>{vol}</volume>\n      <amount>{amt}</amount>{o}\n    </contract>')
        c.append('  </contracts>'); b.append('\n'.join(c))
    return doc('socialCertificate','urn://docgate/social-certificate/1',cid,'\n'.join(b),attrs=f' event="{event}"',encoding=encoding)
cert1 = cert_doc(CERT1_ID, '24-СС-0001873', 'minsoc', PERSON1, S3, IND_HOURS, 96, '190.05', ('2025-02-10','2025-12-31'), ('2025-02-03','2025-12-31'), ['ano'])
put('valid', f'SOCCERT_ACKFIN24_GISSS24_20250203_{CERT1_ID}.xml', cert1)
CONTRACT1_ID = uid('contract-1'); CONTRACT2_ID = uid('contract-2')
CONTRACT2B_ID = uid('contract-2-terminated'); CERT2B_ID = uid('cert-2-changed')
cert2 = cert_doc(CERT2_ID, '24-СС-0002210', 'agency', PERSON2, E1, IND2, 1, '45600.00', ('2025-03-01','2025-08-31'), ('2025-02-20','2025-12-31'), ['ooo'], encoding='windows-1251')
cert2 = cert2.replace('2025-02-03', '2025-02-20')
put('valid', f'SOCCERT_ACKFIN24_GISSS24_20250220_{CERT2_ID}.xml', cert2, 'cp1251')
# Its second version records the contract ПО-118/2025 and how it ended: terminated on 1 July, the training unfinished.
cert2b = cert_doc(CERT2B_ID, '24-СС-0002210', 'agency', PERSON2, E1, IND2, 1, '45600.00', ('2025-03-01','2025-08-31'), ('2025-02-20','2025-12-31'), ['ooo'],
    contracts=[(ref('contractRef','contract',CONTRACT2B_ID,'ПО-118/2025','2025-02-27',2,'      '),'ooo',1,'40000.00',('0','2025-07-01','Договор расторгнут 01.07.2025 по инициативе потребителя (трудоустройство), обучение не завершено'))],
    encoding='windows-1251', event='changed')
cert2b = cert2b.replace('2025-02-03', '2025-02-20').replace('<date>2025-02-20</date>', '<date>2025-07-02</date>', 1) \
    .replace('<createdAt>2025-02-20T14:05:00+07:00</createdAt>', '<createdAt>2025-07-02T10:20:00+07:00</createdAt>') \
    .replace('<version>1</version>', f'<version>2</version>\n    <previousVersionId>{CERT2_ID}</previousVersionId>', 1)
put('valid', f'SOCCERT_ACKFIN24_GISSS24_20250702_{CERT2B_ID}.xml', cert2b, 'cp1251')

# Contracts
def contract_doc(cid, number, date, cert_number, cert_id, executor, person_, svc, ind_, vol, price, from_cert, paid, term, event='concluded', termination=None, agreement=True, version=1, prev=None, created=None):
    total = r2(Decimal(vol)*Decimal(price))
    b=[header(number,date,created or date+'T12:00:00+07:00',version=version,prev=prev,system='ЛК РПГУ'), f'  <certificateRef>\n    <number>{cert_number}</number>\n    <id>{cert_id}</id>\n  </certificateRef>']
    if agreement: b.append(ref('agreementRef','agreement',AGR1_ID,'СС-24/2025-017','2025-01-20'))
    b.append(org('executor',executor)); b.append(person('consumer',person_))
    b.append(f'  <term>\n    <from>{term[0]}</from>\n    <to>{term[1]}</to>\n  </term>')
    pd = f'\n    <amountPaidByConsumer>{paid}</amountPaidByConsumer>' if paid else ''
    b.append(service(svc,'  ',extra=f'{indicator(*ind_,"    ")}\n    <volume>{vol}</volume>\n    <pricePerUnit>{price}</pricePerUnit>\n    <amountFromCertificate>{from_cert}</amountFromCertificate>{pd}\n    <total>{total}</total>'))
    if termination: b.append(f'  <termination>\n    <date>{termination[0]}</date>\n    <reasonCode>{termination[1]}</reasonCode>\n    <reasonText>{esc(termination[2])}</reasonText>\n  </termination>')
    return doc('contract','urn://docgate/contract/1',cid,'\n'.join(b),attrs=f' event="{event}"')
contract1 = contract_doc(CONTRACT1_ID, 'Д-0457/2025', '2025-02-07', '24-СС-0001873', CERT1_ID, 'ano', PERSON1, S3, IND_HOURS, 96, '190.05', '18244.80', None, ('2025-02-10','2025-12-31'))
put('valid', f'CONTRACT_ACKFIN24_RPGU24_20250207_{CONTRACT1_ID}.xml', contract1)
contract2 = contract_doc(CONTRACT2_ID, 'ПО-118/2025', '2025-02-27', '24-СС-0002210', CERT2_ID, 'ooo', PERSON2, E1, IND2, 1, '45600.00', '40000.00', '5600.00', ('2025-03-01','2025-08-31'), agreement=False)
put('valid', f'CONTRACT_ACKFIN24_RPGU24_20250227_{CONTRACT2_ID}.xml', contract2)
# The consumer found work and ended the training: the contract's second version terminates it on 1 July.
TERMINATION2 = ('2025-07-01','01','Расторжение по инициативе потребителя в связи с трудоустройством')
contract2b = contract_doc(CONTRACT2B_ID, 'ПО-118/2025', '2025-02-27', '24-СС-0002210', CERT2_ID, 'ooo', PERSON2, E1, IND2, 1, '45600.00', '40000.00', '5600.00', ('2025-03-01','2025-08-31'),
    event='terminated', termination=TERMINATION2, agreement=False, version=2, prev=CONTRACT2_ID, created='2025-07-01T11:00:00+07:00')
put('valid', f'CONTRACT_ACKFIN24_RPGU24_20250701_{CONTRACT2B_ID}.xml', contract2b)

# A third certificate (issued 3 March) and the draft of its contract, sent to the recipient through ЛК РПГУ.
PERSON3 = dict(lastName='Соколова', firstName='Мария', middleName='Ивановна', birthDate='1951-07-21', snils='134-562-781 66', doc=('21','0405','276341','2005-09-14','ОВД Советского района г. Красноярска'))
CERT3_ID = uid('cert-3'); CONTRACT3_ID = uid('contract-3-draft')
cert3 = cert_doc(CERT3_ID, '24-СС-0002357', 'minsoc', PERSON3, S3, IND_HOURS, 48, '190.05', ('2025-03-10','2025-12-31'), ('2025-03-03','2025-12-31'), ['ano']).replace('2025-02-03', '2025-03-03')
put('valid', f'SOCCERT_ACKFIN24_GISSS24_20250303_{CERT3_ID}.xml', cert3)
contract3 = contract_doc(CONTRACT3_ID, 'Д-0512/2025', '2025-03-05', '24-СС-0002357', CERT3_ID, 'ano', PERSON3, S3, IND_HOURS, 48, '190.05', '9122.40', None, ('2025-03-10','2025-12-31'), event='draft').replace('<status>approved</status>', '<status>draft</status>')
put('valid', f'CONTRACT_ACKFIN24_RPGU24_20250305_{CONTRACT3_ID}.xml', contract3)

# Notices of a contract's conclusion and termination, sent by the executor to the body that issued the certificate.
def notice_doc(nid, number, date, type_, contract_id, contract_number, contract_date, cert_number, cert_id, authority, executor, person_, svc, ind_, vol, from_cert, term, termination=None):
    b=[header(number,date,date+'T16:30:00+07:00',system='ЛК РПГУ'), ref('contractRef','contract',contract_id,contract_number,contract_date),
       f'  <certificateRef>\n    <number>{cert_number}</number>\n    <id>{cert_id}</id>\n  </certificateRef>',
       org('authorizedBody',authority), org('executor',executor), person('consumer',person_),
       f'  <term>\n    <from>{term[0]}</from>\n    <to>{term[1]}</to>\n  </term>',
       f'  <service>\n    <regNum>{svc["regNum"]}</regNum>\n    <name>{esc(svc["name"])}</name>\n{indicator(*ind_,"    ")}\n    <volume>{vol}</volume>\n    <amountFromCertificate>{from_cert}</amountFromCertificate>\n  </service>']
    if termination: b.append(f'  <termination>\n    <date>{termination[0]}</date>\n    <reasonCode>{termination[1]}</reasonCode>\n    <reasonText>{esc(termination[2])}</reasonText>\n  </termination>')
    return doc('contractNotice','urn://docgate/contract-notice/1',nid,'\n'.join(b),attrs=f' type="{type_}"')
NOTICE1_ID = uid('notice-1'); NOTICE2_ID = uid('notice-2')
notice1 = notice_doc(NOTICE1_ID, 'У-0457/2025', '2025-02-07', 'conclusion', CONTRACT1_ID, 'Д-0457/2025', '2025-02-07', '24-СС-0001873', CERT1_ID, 'minsoc', 'ano', PERSON1, S3, IND_HOURS, 96, '18244.80', ('2025-02-10','2025-12-31'))
put('valid', f'CONTRACTNOTICE_ACKFIN24_RPGU24_20250207_{NOTICE1_ID}.xml', notice1)
notice2 = notice_doc(NOTICE2_ID, 'У-118/2025-Р', '2025-07-01', 'termination', CONTRACT2_ID, 'ПО-118/2025', '2025-02-27', '24-СС-0002210', CERT2_ID, 'agency', 'ooo', PERSON2, E1, IND2, 1, '40000.00', ('2025-03-01','2025-08-31'),
    termination=TERMINATION2)
put('valid', f'CONTRACTNOTICE_ACKFIN24_RPGU24_20250701_{NOTICE2_ID}.xml', notice2)
NOTICE3_ID = uid('notice-3')
notice3 = notice_doc(NOTICE3_ID, 'У-118/2025', '2025-02-27', 'conclusion', CONTRACT2_ID, 'ПО-118/2025', '2025-02-27', '24-СС-0002210', CERT2_ID, 'agency', 'ooo', PERSON2, E1, IND2, 1, '40000.00', ('2025-03-01','2025-08-31'))
put('valid', f'CONTRACTNOTICE_ACKFIN24_RPGU24_20250227_{NOTICE3_ID}.xml', notice3)

# Service assignments (Tomsk, 2008)
Q = lambda a,b,c,d: [Decimal(a),Decimal(b),Decimal(c),Decimal(d)]
ROWS = [
 ('П-1','Ветераны труда, получающие меры социальной поддержки',None,('Человек','792'),Q(12000,12100,12150,12200),'head'),
 ('П-2','Ветераны труда, не имеющие льгот по федеральному законодательству',None,('Человек','792'),Q(8000,8050,8100,8150),'head'),
 ('Р-1','Численность получателей, которым предоставлены меры социальной поддержки',None,('Человек','792'),Q(12000,12100,12150,12200),'head'),
 ('Р-2.1','Количество мероприятий',None,('Штука','796'),Q(3,4,2,5),'add'),
 ('Р-2.2','Количество охваченных мероприятиями',None,('Человек','792'),Q(300,450,200,500),'head'),
 ('Р-2.3','Количество консультаций по вопросам предоставления мер социальной поддержки',None,('Единица','642'),Q(1500,1400,1300,1600),'add'),
]
COSTS = [('З-1.1','Оплата труда и начисления на выплаты по оплате труда','210',Q('1250000.00','1250000.00','1250000.00','1380000.00')),
         ('З-1.2','Приобретение услуг','220',Q('310000.00','295000.00','280000.00','335000.00')),
         ('З-1.3','Обслуживание государственного долга','230',Q('0.00','0.00','0.00','0.00')),
         ('З-1.4','Безвозмездные перечисления организациям','240',Q('0.00','0.00','0.00','0.00')),
         ('З-1.5','Безвозмездные перечисления бюджетам','250',Q('0.00','0.00','0.00','0.00')),
         ('З-1.6','Социальное обеспечение','260',Q('36500000.00','36800000.00','36950000.00','37100000.00')),
         ('З-1.7','Прочие расходы','290',Q('40000.00','42000.00','38000.00','45000.00'))]
def yearof(vals, kind):
    if kind=='head': return max(vals)
    return sum(vals)
def assignment_doc(aid, number, date, stage, rq=None, fact_ratio=None, encoding='UTF-8', code_override=None):
    # Tomsk kept UTC+6 in winter and UTC+7 in summer (daylight saving, the last Sunday of March to October) until 2011.
    offset = '+07:00' if '2008-04-01' <= date <= '2008-10-25' else '+06:00'
    b=[header(number, date, date+'T10:00:00'+offset, system='АЦК-Планирование'), '  <year>2008</year>']
    if rq: b.append(f'  <reportQuarter>{rq}</reportQuarter>')
    b += ['  <serviceName>Предоставление мер социальной поддержки ветеранам труда</serviceName>',
          '  <standard>\n    <type>Приказ</type>\n    <number>112</number>\n    <date>2007-11-28</date>\n    <name>Об утверждении стандарта бюджетной услуги «Предоставление мер социальной поддержки ветеранам труда»</name>\n  </standard>',
          org('responsibleAuthority','dszn'), org('provider','ogu')]
    def facts(vals, kind):
        if not fact_ratio: return None
        f=[(v*fact_ratio[i]).quantize(Decimal('1') if v == v.to_integral() and kind!='money' else Decimal('0.01'), rounding=ROUND_HALF_UP) if i < rq else None for i,v in enumerate(vals)]
        return f
    def row(code, name, kek, unit, vals, kind, money=False):
        fv = facts(vals, 'money' if money else kind)
        out=[f'  <row code="{code}">', f'    <name>{esc(name)}</name>']
        if kek: out.append(f'    <kek>{kek}</kek>')
        out.append(f'    <unit okei="{unit[1]}">\n      <name>{unit[0]}</name>\n    </unit>')
        for i,v in enumerate(vals):
            fs = f'\n      <fact>{fv[i]}</fact>' if fv and fv[i] is not None else ''
            out.append(f'    <q{i+1}>\n      <plan>{v}</plan>{fs}\n    </q{i+1}>')
        yp = yearof(vals, kind)
        yf = ''
        if fv:
            got=[x for x in fv if x is not None]
            yf = f'\n      <fact>{yearof(got, kind)}</fact>'
        out.append(f'    <year>\n      <plan>{yp}</plan>{yf}\n    </year>')
        out.append('  </row>'); return '\n'.join(out), fv
    for (code,name,kek,unit,vals,kind) in ROWS:
        b.append(row(code,name,kek,unit,vals,kind)[0])
    total = [sum(c[3][i] for c in COSTS) for i in range(4)]
    trow, tf = row('З-1','Всего затраты',None,('Рубль','383'),total,'add',money=True)
    b.append(trow)
    cost_facts=[]
    for (code,name,kek,vals) in COSTS:
        r_, f_ = row(code if not (code_override and code==code_override[0]) else code_override[1],name,kek,('Рубль','383'),vals,'add',money=True)
        b.append(r_); cost_facts.append(f_)
    if tf:  # make З-1 facts equal the sum of the parts' facts
        sums=[sum(cf[i] for cf in cost_facts) if cost_facts[0][i] is not None else None for i in range(4)]
        for i in range(4):
            if sums[i] is not None:
                b[-8] = b[-8].replace(f'<q{i+1}>\n      <plan>{total[i]}</plan>\n      <fact>{tf[i]}</fact>', f'<q{i+1}>\n      <plan>{total[i]}</plan>\n      <fact>{sums[i]}</fact>')
        got=[x for x in sums if x is not None]
        b[-8] = b[-8].replace(f'<fact>{sum(x for x in tf if x is not None)}</fact>\n    </year>', f'<fact>{sum(got)}</fact>\n    </year>')
    p1 = yearof(ROWS[0][4],'head')
    n21 = r2(sum(total)/p1)
    n21f = ''
    if fact_ratio:
        p1f = [x for x in facts(ROWS[0][4],'head') if x is not None]
        sumsf=[sum(cf[i] for cf in cost_facts) for i in range(rq)]
        n21f = f'\n      <fact>{r2(sum(sumsf)/max(p1f))}</fact>'
    b.append(f'  <row code="З-2.1">\n    <name>Норматив на 1 фактического получателя</name>\n    <unit okei="383">\n      <name>Рубль</name>\n    </unit>\n    <year>\n      <plan>{n21}</plan>{n21f}\n    </year>\n  </row>')
    b.append(f'  <row code="З-2.2">\n    <name>Норматив на 1 получателя, охваченного в массовых мероприятиях</name>\n    <unit okei="383">\n      <name>Рубль</name>\n    </unit>\n    <year>\n      <plan>350.00</plan>\n    </year>\n  </row>')
    if stage=='assignment':
        b.append('  <normativeCalculation>\n    <k1>\n      <base>1000.00</base>\n      <factor>1.08500</factor>\n      <value>1085.00</value>\n    </k1>\n    <k2>\n      <base>250.00</base>\n      <factor>1.12000</factor>\n      <value>280.00</value>\n    </k2>\n    <k3>\n      <base>1500.00</base>\n      <factor>1.10000</factor>\n      <value>1650.00</value>\n    </k3>\n    <k4>\n      <base>8845.06</base>\n      <factor>1.08500</factor>\n      <value>9596.89</value>\n    </k4>\n    <n>12611.89</n>\n  </normativeCalculation>')
        k = (Decimal(11800+400)/Decimal(11700+350)).quantize(Decimal('0.00001'), rounding=ROUND_HALF_UP)
        c1 = (Decimal(12200)*k).quantize(Decimal('1'), rounding=ROUND_HALF_UP)
        b.append(f'  <recipientForecast>\n    <group>\n      <name>Ветераны труда</name>\n      <c0>11800</c0>\n      <p>400</p>\n      <c0Forecast>11700</c0Forecast>\n      <pForecast>350</pForecast>\n      <k>{k}</k>\n      <c1>{c1}</c1>\n    </group>\n  </recipientForecast>')
    return doc('serviceAssignment','urn://docgate/service-assignment/1',aid,'\n'.join(b),attrs=f' stage="{stage}"',encoding=encoding)
SA1_ID = uid('assignment-2008'); SA2_ID = uid('assignment-2008-q2')
sa1 = assignment_doc(SA1_ID, 'З-0712/2008', '2007-12-24', 'assignment', encoding='windows-1251')
put('valid', f'SVCASSIGN_DFTO70_DSZN70_20071224_{SA1_ID}.xml', sa1, 'cp1251')
RATIO = [Decimal('0.99'), Decimal('1.01'), None, None]
sa2 = assignment_doc(SA2_ID, 'О-0712/2008-2', '2008-07-18', 'report', rq=2, fact_ratio=RATIO)
put('valid', f'SVCASSIGN_DFTO70_DSZN70_20080718_{SA2_ID}.xml', sa2)

# Receipts
def receipt_doc(rid, orig_name, orig_bytes, orig_id, kind, ns, status, delivered=None, errors=()):
    b=['  <createdAt>2025-01-20T09:31:07+07:00</createdAt>', '  <gateway>\n    <instanceId>docgate-krsk-01</instanceId>\n    <version>0.1.0</version>\n  </gateway>', '  <route>planning-to-finance</route>',
       f'  <inResponseTo>\n    <fileName>{orig_name}</fileName>\n    <documentId>{orig_id}</documentId>\n    <documentKind>{kind}</documentKind>\n    <namespace>{ns}</namespace>\n    <sha256>{hashlib.sha256(orig_bytes).hexdigest()}</sha256>\n    <size>{len(orig_bytes)}</size>\n    <receivedAt>2025-01-20T09:31:05+07:00</receivedAt>\n  </inResponseTo>', f'  <status>{status}</status>']
    if delivered: b.append(f'  <deliveredAs>\n    <fileName>{delivered}</fileName>\n  </deliveredAs>')
    for (code, sev, line, path, ru, en) in errors:
        b.append(f'  <error code="{code}" severity="{sev}" line="{line}" path="{path}">\n    <message lang="ru">{esc(ru)}</message>\n    <message lang="en">{esc(en)}</message>\n  </error>')
    return doc('receipt','urn://docgate/receipt/1',rid,'\n'.join(b))
a1name = f'AGREEMENT_ACKFIN24_ACKPLAN24_20250120_{AGR1_ID}.xml'
REC1_ID = uid('receipt-1'); REC2_ID = uid('receipt-2')
rec1 = receipt_doc(REC1_ID, a1name, agr1.encode(), AGR1_ID, 'agreement', 'urn://docgate/agreement/1', 'delivered', delivered=a1name)
put('valid', f'RECEIPT_{a1name}', rec1)
bad_name = f'AGREEMENT_ACKFIN24_ACKPLAN24_20250121_{uid("agreement-bad")}.xml'
rec2 = receipt_doc(REC2_ID, bad_name, b'<agreement/>', uid('agreement-bad'), 'agreement', 'urn://docgate/agreement/1', 'rejected',
    errors=[('DG3030','error',78,'/agreement/service[2]/yearValue[1]/amount','Сумма 5745757.50 на 2025 год не равна 300 × 18240.50 × 1.05 = 5745757.50','Amount for 2025 is not volume × normative × factor'),
            ('DG3005','warning',40,'/agreement/service[1]/regNum','Реестровый номер «12345» не в формате перечня','Registry number 12345 is not in the registry format')])
put('valid', f'RECEIPT_{bad_name}', rec2)

import json

def write(path, text, enc, bom):
    full=os.path.join(OUT, path); os.makedirs(os.path.dirname(full), exist_ok=True)
    data = text.encode(enc)
    if bom: data = b'\xef\xbb\xbf' + data
    open(full,'wb').write(data)
for path,(text,enc,bom) in files.items(): write(path,text,enc,bom)
# expose for the invalid-twin script
import pickle; pickle.dump(files, open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '.valid.pkl'),'wb'))
print(len(files), 'valid samples')
