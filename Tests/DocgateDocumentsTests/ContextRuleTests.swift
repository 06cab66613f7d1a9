import DocgateCore
import DocgateDocuments
import DocgateTestSupport
import Foundation
import Testing

/// The rules across documents, each with a positive and a negative case built from the samples.
@Suite struct ContextRuleTests {
    let validator: DocumentValidator

    init() throws {
        validator = try DocumentValidator(schemaDirectory: TestPaths.schemas)
    }

    /// A sample's text (windows-1251 samples decoded; `bytes` encodes them back).
    func sample(_ prefix: String, _ index: Int = 0) throws -> String {
        let files = TestPaths.sampleFiles("valid").filter { ($0 as NSString).lastPathComponent.hasPrefix(prefix) }
        let data = try Data(contentsOf: URL(fileURLWithPath: try #require(files.dropFirst(index).first)))
        if String(decoding: data.prefix(80), as: UTF8.self).contains("windows-1251") {
            return try #require(String(data: data, encoding: .windowsCP1251))
        }
        return String(decoding: data, as: UTF8.self)
    }

    func bytes(_ text: String) -> [UInt8] {
        if text.prefix(80).contains("windows-1251"), let d = text.data(using: .windowsCP1251) { return [UInt8](d) }
        return Array(text.utf8)
    }

    /// A context document from text; `name` without a UUID, so the file-name rule stays out of the way.
    func doc(_ text: String, _ name: String, sha: String? = nil) throws -> ContextDocument {
        let report = validator.validate(bytes: bytes(text), file: name, retainRecords: true)
        #expect(report.valid, "\(name): \(report.diagnostics.map { $0.code + " " + $0.message.en })")
        return try #require(ContextDocument(report: report, sha256: sha ?? String(text.hashValue)))
    }

    func codes(_ d: ContextDocument, in context: [ContextDocument]) -> [String] {
        DocumentContext(context).check(d).map(\.code)
    }

    func rootId(_ text: String) throws -> String {
        let range = try #require(text.range(of: #"id="[0-9a-f-]{36}""#, options: .regularExpression))
        return String(text[range].dropFirst(4).dropLast())
    }

    func withId(_ text: String, _ id: String) throws -> String { text.replacingOccurrences(of: try rootId(text), with: id) }

    static func uuid(_ n: Int) -> String { String(format: "%08x-0000-4000-8000-%012x", n, n) }

    @Test func reportAgainstItsOrder() throws {
        let order = try doc(try sample("SOCORDER"), "order.xml")
        let annual = try sample("EXECREPORT", 1)
        let interim = try sample("EXECREPORT", 0)
        #expect(codes(try doc(annual, "annual.xml"), in: [order]).isEmpty)
        #expect(codes(try doc(interim, "interim.xml"), in: [order]).isEmpty)
        // Without the order: DG3100.
        #expect(codes(try doc(annual, "annual.xml"), in: []) == ["DG3100"])
        // A report on a version of the order that is not the latest approved one.
        let v2 = annual.replacingOccurrences(of: "<version>1</version>\n  </socialOrderRef>", with: "<version>2</version>\n  </socialOrderRef>")
        #expect(v2 != annual)
        #expect(codes(try doc(v2, "v2.xml"), in: [order]) == ["DG3100"])
    }

    @Test func agreementsWithinTheOrdersVolume() throws {
        let order = try doc(try sample("SOCORDER"), "order.xml")
        let agreement = try sample("AGREEMENT", 0)
        let one = try doc(agreement, "a0.xml")
        #expect(codes(one, in: [order, one]).isEmpty)
        // Ten agreements of the same size on the same order and method exceed what the order planned.
        var context = [order]
        for i in 1...10 { context.append(try doc(try withId(agreement, Self.uuid(i)), "a\(i).xml")) }
        #expect(codes(one, in: context).contains("DG3101"))
    }

    @Test func certificatesWithinTheOrdersVolume() throws {
        // The second certificate (windows-1251) is on the second order, in the order's unit of measure.
        let order = try doc(try sample("SOCORDER", 1), "order.xml")
        let certificate = try sample("SOCCERT", 1)
        let one = try doc(certificate, "c0.xml")
        #expect(codes(one, in: [order, one]).isEmpty)
        var context = [order]
        for i in 1...400 {
            // Each its own certificate: its own id and number.
            let copy = try withId(certificate, Self.uuid(i)).replacingOccurrences(of: "24-СС-0002210", with: String(format: "24-СС-9%06d", i))
            context.append(try doc(copy, "c\(i).xml"))
        }
        let found = DocumentContext(context).check(one)
        #expect(found.map(\.code).contains("DG3102"))
        #expect(found.allSatisfy { $0.severity == .warning })
    }

    @Test func versionChains() throws {
        let amendment = try sample("AGREEMENT_ACKFIN24_ACKPLAN24_20250305")
        let previousId = try #require(amendment.range(of: #"<previousVersionId>[0-9a-f-]{36}"#, options: .regularExpression)
            .map { String(amendment[$0].dropFirst("<previousVersionId>".count)) })
        let next = try doc(amendment, "amended.xml")
        // The previous version is not known.
        #expect(codes(next, in: [next]) == ["DG3106"])
        // It is: the first version of the same agreement.
        let first = try doc(try withId(try sample("AGREEMENT_ACKFIN24_ACKPLAN24_20250120"), previousId), "first.xml")
        #expect(codes(next, in: [first, next]).filter { $0 == "DG3106" }.isEmpty)
        // A fork: another document continues the same previous version.
        let fork = try doc(try withId(amendment, Self.uuid(77)), "fork.xml")
        #expect(codes(next, in: [first, next, fork]).contains("DG3106"))
    }

    @Test func duplicatesAndConflicts() throws {
        let text = try sample("SOCORDER")
        let a = try doc(text, "a.xml", sha: "aaa")
        let same = try doc(text, "copy.xml", sha: "aaa")
        let found = DocumentContext([a, same]).check(a)
        #expect(found.map(\.code) == ["DG3107"] && found.first?.severity == .warning)
        let other = try doc(text.replacingOccurrences(of: "</socialOrder>", with: "<!-- changed -->\n</socialOrder>"), "other.xml", sha: "bbb")
        let conflict = DocumentContext([a, other]).check(a)
        #expect(conflict.map(\.code) == ["DG3107"] && conflict.first?.severity == .error)
        #expect(DocumentContext([a]).check(a).isEmpty)
    }

    /// The contract on the second certificate (windows-1251 sample) and that certificate.
    func contractAndCertificate() throws -> (String, ContextDocument) {
        let contract = try #require(TestPaths.sampleFiles("valid").first { $0.contains("4e110aea") })
        return (try String(contentsOfFile: contract, encoding: .utf8), try doc(try sample("SOCCERT", 1), "cert.xml"))
    }

    @Test func contractAgainstItsCertificate() throws {
        let (contractText, cert) = try contractAndCertificate()
        let contract = try doc(contractText, "contract.xml")
        #expect(!codes(contract, in: [cert, contract]).contains("DG3103"))
        // Unknown certificate.
        #expect(codes(contract, in: [contract]).contains("DG3103"))
        // A second contract on the same certificate uses up its volume.
        let second = try doc(try withId(contractText, Self.uuid(5)), "contract2.xml")
        #expect(codes(contract, in: [cert, contract, second]).contains("DG3103"))
        // A term past the certificate's validity.
        let late = try doc(contractText.replacingOccurrences(of: "<to>2025-08-31</to>", with: "<to>2026-03-31</to>"), "late.xml")
        #expect(codes(late, in: [cert, late]).contains("DG3103"))
        // Another consumer than the certificate's recipient.
        let other = try doc(contractText.replacingOccurrences(of: "123-456-789 64", with: "112-233-445 95"), "other.xml")
        #expect(codes(other, in: [cert, other]).contains("DG3103"))
    }

    @Test func contractExecutorNeedsACertificateAgreement() throws {
        let (contractText, cert) = try contractAndCertificate()
        let contract = try doc(contractText, "contract.xml")
        #expect(codes(contract, in: [cert, contract]).contains("DG3104"))
        // A certificate agreement between the certificate's issuer and this executor, on this service.
        let agreementText = try sample("AGREEMENT", 0)
            .replacingOccurrences(of: "2461004522", with: "2462007734")
            .replacingOccurrences(of: "2466012340", with: "2463029113")
            .replacingOccurrences(of: "880000О.99.0.АЭ22АА01000", with: "853000Р.99.0.БА01АА00000")
        let agreement = try doc(agreementText, "agreement.xml")
        #expect(!codes(contract, in: [cert, contract, agreement]).contains("DG3104"))
    }

    /// Issue 16, item 11: the shipped samples hold together as a set — every rule across documents passes with all of
    /// them in the context (the base of the amended agreement, the certificate agreement of the vocational-training
    /// contract, and the units of the certificate-covered home service included).
    @Test func theShippedSamplesAreConsistentAsASet() throws {
        let all = try TestPaths.sampleFiles("valid").map { file -> ContextDocument in
            let report = try validator.validate(file: file, retainRecords: true)
            return try #require(ContextDocument(report: report, sha256: file))
        }
        let context = DocumentContext(all)
        for d in all {
            #expect(context.check(d).isEmpty, "\(d.file): \(context.check(d).map { $0.code + " " + $0.message.en })")
        }
    }

    /// Issue 16, item 14: a new version follows the status model (README) and keeps the parties. Contract
    /// ПО-118/2025 is terminated: nothing follows it. Contract Д-0457/2025 (concluded) may be amended, not
    /// concluded again, and not with another consumer.
    @Test func versionsFollowTheStatusModel() throws {
        let concluded = try sample("CONTRACT_ACKFIN24_RPGU24_20250207")
        let terminated = try sample("CONTRACT_ACKFIN24_RPGU24_20250701")
        func next(_ text: String, event: String, id: Int, edit: (String) -> String = { $0 }) throws -> ContextDocument {
            let previous = try rootId(text)
            var v2 = try withId(text, Self.uuid(id))
            // The version after this one, naming this one as its previous.
            let version = try #require(text.range(of: #"<version>\d+</version>"#, options: .regularExpression).map { Int(text[$0].filter(\.isNumber))! })
            v2 = v2.replacingOccurrences(of: #"\n\s*<previousVersionId>[^<]*</previousVersionId>"#, with: "", options: .regularExpression)
            v2 = v2.replacingOccurrences(of: "<version>\(version)</version>", with: "<version>\(version + 1)</version>\n    <previousVersionId>\(previous)</previousVersionId>")
            v2 = v2.replacingOccurrences(of: #"event="[a-z]+""#, with: "event=\"\(event)\"", options: .regularExpression)
            // A draft's header says so (DG3081).
            if event == "draft" { v2 = v2.replacingOccurrences(of: "<status>approved</status>", with: "<status>draft</status>") }
            return try doc(edit(v2), "v2-\(id).xml")
        }
        let first = try doc(concluded, "v1.xml")
        func transitions(_ d: ContextDocument, _ base: ContextDocument) -> [String] {
            DocumentContext([base, d]).check(d).filter { $0.code == "DG3108" }.map(\.message.en)
        }
        #expect(transitions(try next(concluded, event: "amended", id: 901), first).isEmpty)
        #expect(transitions(try next(concluded, event: "concluded", id: 902), first).contains { $0.contains("'concluded' (v1.xml) followed by 'concluded'") })
        let otherConsumer = try next(concluded, event: "amended", id: 903) { $0.replacingOccurrences(of: "112-233-445 95", with: "123-456-789 64") }
        #expect(transitions(otherConsumer, first).contains { $0.contains("consumer") && $0.contains("11223344595") && $0.contains("12345678964") })
        let ended = try doc(terminated, "ended.xml")
        let afterEnd = try next(terminated, event: "amended", id: 904) { text in
            // An amended contract carries no termination.
            text.replacingOccurrences(of: #"(?s)  <termination>.*?</termination>\n"#, with: "", options: .regularExpression)
        }
        #expect(transitions(afterEnd, ended).contains { $0.contains("nothing (the document's life has ended)") })
        // A draft (issue 16, item 15) becomes the concluded contract; a concluded one never goes back to a draft.
        let draft = try doc(concluded.replacingOccurrences(of: #"event="concluded""#, with: #"event="draft""#)
            .replacingOccurrences(of: "<status>approved</status>", with: "<status>draft</status>"), "draft.xml")
        #expect(transitions(try next(concluded, event: "concluded", id: 905), draft).isEmpty)
        #expect(transitions(try next(concluded, event: "draft", id: 906), first).contains { $0.contains("followed by 'draft'") })
    }

    /// A new version of a contract replaces the one before it: the certificate's volume is not spent twice
    /// (certificate 24-СС-0001873 has 96 hours; contract Д-0457/2025 takes all 96, and so does its amended version).
    @Test func anAmendedContractDoesNotSpendTheCertificateTwice() throws {
        let concluded = try sample("CONTRACT_ACKFIN24_RPGU24_20250207")
        let v1 = try doc(concluded, "c1.xml")
        var text = try withId(concluded, Self.uuid(950))
        text = text.replacingOccurrences(of: "<version>1</version>", with: "<version>2</version>\n    <previousVersionId>\(v1.id)</previousVersionId>")
            .replacingOccurrences(of: #"event="concluded""#, with: #"event="amended""#)
        let v2 = try doc(text, "c2.xml")
        let context = [try doc(try sample("SOCCERT", 0), "cert.xml"), try doc(try sample("AGREEMENT", 0), "agreement.xml"), v1, v2]
        #expect(DocumentContext(context).check(v2).isEmpty, "\(DocumentContext(context).check(v2).map(\.message.en))")
        // The first version, checked with its successor known, is not charged for it either.
        #expect(DocumentContext(context).check(v1).isEmpty)
        // Amended down to 48 hours (48 × 190.05 = 9 122.40 ₽), the contract leaves 48 for another one.
        let half = try doc(text.replacingOccurrences(of: "<volume>96</volume>", with: "<volume>48</volume>")
            .replacingOccurrences(of: "<amountFromCertificate>18244.80</amountFromCertificate>", with: "<amountFromCertificate>9122.40</amountFromCertificate>")
            .replacingOccurrences(of: "<total>18244.80</total>", with: "<total>9122.40</total>"), "c2.xml")
        let second = try doc(try withId(concluded, Self.uuid(952)).replacingOccurrences(of: "Д-0457/2025", with: "Д-0459/2025")
            .replacingOccurrences(of: "<volume>96</volume>", with: "<volume>48</volume>")
            .replacingOccurrences(of: "<amountFromCertificate>18244.80</amountFromCertificate>", with: "<amountFromCertificate>9122.40</amountFromCertificate>")
            .replacingOccurrences(of: "<total>18244.80</total>", with: "<total>9122.40</total>"), "c4.xml")
        let halves = Array(context.dropLast()) + [half, second]
        #expect(!DocumentContext(halves).check(second).contains { $0.code == "DG3103" })
        // A second contract of 96 hours on the same certificate is still refused: nothing is left.
        let other = try doc(try withId(concluded, Self.uuid(951)).replacingOccurrences(of: "Д-0457/2025", with: "Д-0458/2025"), "c3.xml")
        #expect(DocumentContext(context + [other]).check(other).contains { $0.code == "DG3103" && $0.message.en.contains("left") })
    }

    /// Review of issue 16: what a concluded contract's later version may not change (its number, its certificate),
    /// an additional agreement's base belongs to its own chain, and a number begins one document's life only.
    @Test func aNewVersionKeepsWhatMakesTheDocumentItself() throws {
        let concluded = try sample("CONTRACT_ACKFIN24_RPGU24_20250207")
        let v1 = try doc(concluded, "c1.xml")
        func amended(_ edit: (String) -> String) throws -> ContextDocument {
            var text = try withId(concluded, Self.uuid(990))
            text = text.replacingOccurrences(of: "<version>1</version>", with: "<version>2</version>\n    <previousVersionId>\(v1.id)</previousVersionId>")
                .replacingOccurrences(of: #"event="concluded""#, with: #"event="amended""#)
            return try doc(edit(text), "c2.xml")
        }
        func transitions(_ d: ContextDocument, _ context: [ContextDocument]) -> [String] {
            DocumentContext(context + [d]).check(d).filter { $0.code == "DG3108" }.map(\.message.en)
        }
        #expect(transitions(try amended { $0 }, [v1]).isEmpty)
        let renumbered = try amended { $0.replacingOccurrences(of: "<number>Д-0457/2025</number>", with: "<number>Д-9999/2025</number>") }
        #expect(transitions(renumbered, [v1]).contains { $0.contains("number") && $0.contains("Д-9999/2025") })
        let otherCertificate = try amended { $0.replacingOccurrences(of: "<number>24-СС-0001873</number>", with: "<number>24-СС-0009999</number>") }
        #expect(transitions(otherCertificate, [v1]).contains { $0.contains("certificate") && $0.contains("24-СС-0009999") })
        // A second version 1 under a number that already began a contract's life.
        let twin = try doc(try withId(concluded, Self.uuid(991)), "twin.xml")
        #expect(DocumentContext([v1, twin]).check(twin).contains { $0.code == "DG3106" && $0.message.en.contains("Д-0457/2025") })
        // The additional agreement К-24/2025-004/ДС-1 follows К-24/2025-004; a base outside its chain is refused.
        let base = try doc(try sample("AGREEMENT_ACKFIN24_ACKPLAN24_20250210"), "base.xml")
        let additionalText = try sample("AGREEMENT_ACKFIN24_ACKPLAN24_20250305")
        let additional = try doc(additionalText, "ds1.xml")
        let other = try doc(try sample("AGREEMENT_ACKFIN24_ACKPLAN24_20250120"), "other.xml")
        #expect(transitions(additional, [base, other]).isEmpty)
        let foreignBase = try doc(additionalText.replacingOccurrences(of: #"(?s)(<baseAgreementRef>.*?<id>)[^<]*(</id>\s*<number>)[^<]*(</number>\s*<date>)[^<]*"#,
                                                                        with: "$1\(other.id)$2СС-24/2025-017$32025-01-20", options: .regularExpression), "ds1b.xml")
        #expect(transitions(foreignBase, [base, other]).contains { $0.contains("base") && $0.contains("СС-24/2025-017") })
    }

    /// Review of issue 16: versions chain within one kind. A notice naming a contract as its previous version is told
    /// so, and does not make the contract's own next version a fork.
    @Test func versionChainsStayWithinTheirKind() throws {
        let concluded = try sample("CONTRACT_ACKFIN24_RPGU24_20250207")
        let v1 = try doc(concluded, "c1.xml")
        let notice = try sample("CONTRACTNOTICE", 0)
        let stray = try doc(notice.replacingOccurrences(of: "<version>1</version>", with: "<version>2</version>\n    <previousVersionId>\(v1.id)</previousVersionId>"),
                            "stray.xml")
        let strayFindings = DocumentContext([v1, stray]).check(stray).filter { $0.code == "DG3106" }.map(\.message.en)
        #expect(strayFindings.contains { $0.contains("contract") && $0.contains("c1.xml") }, "\(strayFindings)")
        var text = try withId(concluded, Self.uuid(980))
        text = text.replacingOccurrences(of: "<version>1</version>", with: "<version>2</version>\n    <previousVersionId>\(v1.id)</previousVersionId>")
            .replacingOccurrences(of: #"event="concluded""#, with: #"event="amended""#)
        let v2 = try doc(text, "c2.xml")
        #expect(!DocumentContext([v1, stray, v2]).check(v2).contains { $0.code == "DG3106" })
    }

    /// A draft offers a contract; only a concluded one spends the certificate. A draft for all 96 hours of certificate
    /// 24-СС-0001873 leaves them to contract Д-0457/2025; the draft itself still fits only what is left.
    @Test func aDraftDoesNotSpendTheCertificate() throws {
        let concluded = try sample("CONTRACT_ACKFIN24_RPGU24_20250207")
        let draftText = try withId(concluded, Self.uuid(960)).replacingOccurrences(of: "Д-0457/2025", with: "Д-0460/2025")
            .replacingOccurrences(of: #"event="concluded""#, with: #"event="draft""#)
            .replacingOccurrences(of: "<status>approved</status>", with: "<status>draft</status>")
        let draft = try doc(draftText, "draft.xml")
        let contract = try doc(concluded, "c1.xml")
        let context = [try doc(try sample("SOCCERT", 0), "cert.xml"), try doc(try sample("AGREEMENT", 0), "agreement.xml"), draft, contract]
        #expect(DocumentContext(context).check(contract).isEmpty, "\(DocumentContext(context).check(contract).map(\.message.en))")
        #expect(DocumentContext(context).check(draft).contains { $0.code == "DG3103" && $0.message.en.contains("left, 0") })
    }

    /// Issue 16, item 15: a notice reports on a contract the registry knows and says what it says. The shipped
    /// notices (Д-0457/2025 concluded, ПО-118/2025 terminated on 2025-07-01) agree with their contracts.
    @Test func aNoticeAgreesWithItsContract() throws {
        let concluded = try sample("CONTRACT_ACKFIN24_RPGU24_20250207")
        let conclusion = try sample("CONTRACTNOTICE", 0)
        let termination = try sample("CONTRACTNOTICE_ACKFIN24_RPGU24_20250701")
        // ПО-118/2025: concluded (version 1), then terminated (version 2).
        let contracts = [try doc(concluded, "c1.xml"), try doc(try sample("CONTRACT_ACKFIN24_RPGU24_20250227"), "c2.xml"),
                         try doc(try sample("CONTRACT_ACKFIN24_RPGU24_20250701"), "c2v2.xml")]
        func found(_ text: String, _ context: [ContextDocument] = contracts) throws -> [String] {
            let d = try doc(text, "notice.xml")
            return DocumentContext(context + [d]).check(d).map { $0.code + " " + $0.message.en }
        }
        #expect(try found(conclusion).isEmpty)
        #expect(try found(termination).isEmpty)
        // Without its contract, the notice reports on nothing known.
        #expect(try found(conclusion, []).contains { $0.hasPrefix("DG3109") && $0.contains("Д-0457/2025") && $0.contains("not known") })
        // Another consumer, volume or certificate share than the contract's.
        let otherVolume = conclusion.replacingOccurrences(of: "<volume>96</volume>", with: "<volume>100</volume>")
        #expect(try found(otherVolume).contains { $0.hasPrefix("DG3109") && $0.contains("services") && $0.contains("100") && $0.contains("96") })
        let otherConsumer = conclusion.replacingOccurrences(of: "112-233-445 95", with: "123-456-789 64")
        #expect(try found(otherConsumer).contains { $0.hasPrefix("DG3109") && $0.contains("consumer") })
        // Without the contract's id, found by its number on the certificate.
        let byNumber = conclusion.replacingOccurrences(of: #"(?s)(<contractRef>.*?)<id>[^<]*</id>\n\s*"#, with: "$1", options: .regularExpression)
        #expect(byNumber != conclusion)
        #expect(try found(byNumber).isEmpty)
        // The termination notice's date must be the terminated contract's (2025-07-01).
        let otherDate = termination.replacingOccurrences(of: "<date>2025-07-01</date>\n    <reasonCode>", with: "<date>2025-06-30</date>\n    <reasonCode>")
        #expect(try found(otherDate).contains { $0.hasPrefix("DG3109") && $0.contains("2025-06-30") && $0.contains("2025-07-01") })
        // Review of issue 16: a termination of a contract the registry knows only as concluded.
        let terminationOfConcluded = conclusion.replacingOccurrences(of: #"type="conclusion""#, with: #"type="termination""#)
            .replacingOccurrences(of: "  </service>\n</contractNotice>",
                                  with: "  </service>\n  <termination>\n    <date>2025-02-07</date>\n    <reasonCode>01</reasonCode>\n    <reasonText>По инициативе потребителя</reasonText>\n  </termination>\n</contractNotice>")
        #expect(terminationOfConcluded != conclusion)
        #expect(try found(terminationOfConcluded).contains { $0.hasPrefix("DG3109") && $0.contains("not terminated") })
        // The addressee is the body that issued the certificate (24-СС-0001873: the Ministry, ИНН 2466012340), and the
        // certificate's id is the contract's.
        let cert1 = try doc(try sample("SOCCERT", 0), "cert.xml")
        #expect(try found(conclusion, contracts + [cert1]).isEmpty)
        let otherBody = conclusion.replacingOccurrences(of: "<inn>2466012340</inn>", with: "<inn>2463029113</inn>")
            .replacingOccurrences(of: "<ogrn>1022401123458</ogrn>", with: "<ogrn>1022400965322</ogrn>")
            .replacingOccurrences(of: "<kpp>246601001</kpp>", with: "<kpp>246301001</kpp>")
        #expect(try found(otherBody, contracts + [cert1]).contains { $0.hasPrefix("DG3109") && $0.contains("issued") && $0.contains("2463029113") })
        let certId = try rootId(try sample("SOCCERT", 0))
        let otherCertId = conclusion.replacingOccurrences(of: "<id>\(certId)</id>", with: "<id>\(Self.uuid(970))</id>")
        #expect(otherCertId != conclusion)
        #expect(try found(otherCertId).contains { $0.hasPrefix("DG3109") && $0.contains("certificate id") })
        // The consumer is the same person: name and birth date too, and a СНИЛС on one side only is a difference.
        let otherName = conclusion.replacingOccurrences(of: "<lastName>Петрова</lastName>", with: "<lastName>Иванова</lastName>")
        #expect(try found(otherName).contains { $0.hasPrefix("DG3109") && $0.contains("consumer") && $0.contains("full name") })
        // What differs is named, never quoted: a person's name and birth date would reach the journal, the logs, the
        // receipt and a console viewer, none of whom may read them (the digits of a СНИЛС a viewer gets masked).
        let otherBirth = conclusion.replacingOccurrences(of: #"<birthDate>[^<]*</birthDate>"#, with: "<birthDate>2001-02-03</birthDate>",
                                                         options: .regularExpression)
        #expect(otherBirth != conclusion)
        #expect(try found(otherBirth).contains { $0.hasPrefix("DG3109") && $0.contains("consumer") && $0.contains("birth date") })
        let notice = try doc(otherName, "notice.xml"), birth = try doc(otherBirth, "notice.xml")
        for d in [notice, birth] {
            for finding in DocumentContext(contracts + [d]).check(d) {
                for text in [finding.message.ru, finding.message.en] {
                    #expect(!["Петрова", "Иванова", "Анна", "Сергеевна", "1948-03-12", "2001-02-03"].contains { text.contains($0) }, "\(text)")
                }
            }
        }
        let noSnils = conclusion.replacingOccurrences(of: #"\n\s*<snils>[^<]*</snils>"#, with: "", options: .regularExpression)
        #expect(noSnils != conclusion)
        #expect(try found(noSnils).contains { $0.hasPrefix("DG3109") && $0.contains("consumer") })
        // A second notice of the same conclusion, under another id.
        let again = try doc(try withId(conclusion, Self.uuid(971)), "again.xml")
        let first = try doc(conclusion, "notice.xml")
        #expect(DocumentContext(contracts + [first, again]).check(again).contains { $0.code == "DG3109" && $0.message.en.contains("already") })
        // A contract still a draft has nothing to notify.
        let draft = concluded.replacingOccurrences(of: #"event="concluded""#, with: #"event="draft""#)
            .replacingOccurrences(of: "<status>approved</status>", with: "<status>draft</status>")
        #expect(try found(conclusion, [try doc(draft, "draft.xml")]).contains { $0.hasPrefix("DG3109") && $0.contains("still a draft") })
    }

    @Test func executorFactsWithinTheAgreement() throws {
        let order = try doc(try sample("SOCORDER"), "order.xml")
        let agreement = try doc(try sample("AGREEMENT", 0), "agreement.xml")
        let report = try doc(try sample("EXECREPORT", 1), "annual.xml")
        #expect(!codes(report, in: [order, agreement, report]).contains("DG3105"))
        // The same agreement with every yearly volume cut to one: the report's facts exceed it.
        guard case .agreement(var a) = agreement.model else { Issue.record("not an agreement"); return }
        for i in a.services.indices { for j in a.services[i].yearValues.indices { a.services[i].yearValues[j].volume = DecimalValue(1) } }
        var smaller = agreement
        smaller.model = .agreement(a)
        #expect(codes(report, in: [order, smaller, report]).contains("DG3105"))
    }

    /// Issue 16, item 12: the cited agreement must cover the service reported on, and the executor must be its party.
    @Test func executorFactsNeedTheirOwnAgreementForTheService() throws {
        let order = try doc(try sample("SOCORDER"), "order.xml")
        let agreement = try doc(try sample("AGREEMENT", 0), "agreement.xml")
        let report = try doc(try sample("EXECREPORT", 1), "annual.xml")
        func messages(_ d: ContextDocument, _ context: [ContextDocument]) -> [String] {
            DocumentContext(context).check(d).filter { $0.code == "DG3105" }.map(\.message.en)
        }
        #expect(messages(report, [order, agreement, report]).isEmpty)
        // The agreement without its home-service line (АЭ23): the executor's АЭ23 facts are not covered by it.
        guard case .agreement(var a) = agreement.model else { Issue.record("not an agreement"); return }
        a.services.removeAll { $0.service.regNum.contains("АЭ23") }
        var partial = agreement
        partial.model = .agreement(a)
        #expect(messages(report, [order, partial, report]).contains { $0.contains("does not cover") && $0.contains("АЭ23") })
        // The same agreement made with another organisation: the executor is not its party.
        guard case .agreement(var other) = agreement.model else { return }
        other.executor?.inn = "2465003015"
        var foreign = agreement
        foreign.model = .agreement(other)
        #expect(messages(report, [order, foreign, report]).contains { $0.contains("not a party") && $0.contains("2461004522") })
    }

    @Test func lookUpsDoNotScanTheRegistry() throws {
        // 20 000 unrelated orders in the registry: a check still touches only the documents it needs.
        let order = try doc(try sample("SOCORDER"), "order.xml")
        var many: [ContextDocument] = [order]
        for i in 0..<20_000 {
            var d = order
            d.id = Self.uuid(1_000_000 + i)
            d.file = "o\(i).xml"
            many.append(d)
        }
        let context = DocumentContext(many)
        #expect(context.count == 20_001)
        #expect(context.check(try doc(try sample("EXECREPORT", 1), "annual.xml")).isEmpty)
    }
    /// Found in review: the status model keys transitions on the event, not on the state the event left. A certificate
    /// suspended, then changed while still suspended (event changed, state suspended — DG3044 allows it), is still
    /// suspended, and a suspended certificate may not be redeemed (README: suspended → changed (resumed), cancelled).
    /// Yet `changed` → `redeemed` passes DG3108, so suspended → changed(suspended) → redeemed slips through.
    @Test func aCertificateChangedWhileSuspendedIsNotRedeemedWithoutResuming() throws {
        let issued = try sample("SOCCERT_ACKFIN24_GISSS24_20250203")
        func version(_ base: String, _ n: Int, event: String, state: String) throws -> String {
            let previous = try rootId(base)
            var v = try withId(base, Self.uuid(700 + n))
            // The header's version only (the first), not the version of the order the certificate cites.
            let header = try #require(v.range(of: #"<version>\d+</version>(\s*<previousVersionId>[^<]*</previousVersionId>)?"#,
                                              options: .regularExpression))
            v.replaceSubrange(header, with: "<version>\(n)</version>\n    <previousVersionId>\(previous)</previousVersionId>")
            v = v.replacingOccurrences(of: #"event="[a-z]+""#, with: "event=\"\(event)\"", options: .regularExpression)
            return v.replacingOccurrences(of: #"<state>[a-z]+</state>"#, with: "<state>\(state)</state>", options: .regularExpression)
        }
        let suspendedText = try version(issued, 2, event: "suspended", state: "suspended")
        let changedText = try version(suspendedText, 3, event: "changed", state: "suspended")
        let redeemedText = try version(changedText, 4, event: "redeemed", state: "redeemed")
        let v1 = try doc(issued, "v1.xml"), v2 = try doc(suspendedText, "v2.xml")
        let v3 = try doc(changedText, "v3.xml"), v4 = try doc(redeemedText, "v4.xml")
        let all = [v1, v2, v3, v4]
        #expect(!codes(v2, in: all).contains("DG3108"))
        #expect(!codes(v3, in: all).contains("DG3108"))
        // The certificate is still suspended (v3's state): redeeming it must be refused like redeeming v2.
        #expect(codes(v4, in: all).contains("DG3108"), "a suspended certificate was redeemed without being resumed")
    }
}
