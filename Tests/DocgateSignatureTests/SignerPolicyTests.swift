import DocgateCore
import DocgateCrypto
import DocgateDocuments
import DocgateProcessing
import DocgateSignature
import DocgateTestSupport
import Foundation
import Testing

/// Who may sign what (issue 15): each kind's party bound to the signer's certificate, the order of the parties'
/// signatures, the fingerprint mapping, required certificate policies, partial chains and revoked intermediates.
/// Every verifier here is strict: no mapping unless the test makes one.
@Suite struct SignerPolicyTests {
    let pki: TestPKI

    init() throws { pki = try Fixture.pki() }

    func strict(trust: String? = nil, crls: [String] = [], partialChain: Bool = false, mapping: SignerMapping = SignerMapping(),
                policies: Set<String> = []) throws -> SignatureVerifier {
        SignatureVerifier(trust: try TrustStore(path: trust ?? pki.caCert, crls: crls, partialChain: partialChain), policy: .docgate,
                          signers: mapping, requiredPolicies: policies)
    }

    func sign(_ prefix: String, _ key: String, _ cert: String) throws -> [UInt8] {
        try Fixture.sign(try Fixture.sample(prefix), with: try Fixture.signer(key, cert))
    }

    func countersign(_ bytes: [UInt8], _ key: String, _ cert: String) throws -> [UInt8] {
        try Fixture.sign(bytes, with: try Fixture.signer(key, cert))
    }

    func messages(_ report: VerificationReport) -> String {
        report.diagnostics.map { $0.code + " " + $0.message.en }.joined(separator: "\n")
    }

    @Test func theAuthorisedBodySignsTheSocialOrderAndNoOtherOrganisationMay() throws {
        let verifier = try strict()
        let good = verifier.verify(bytes: try sign("SOCORDER", pki.rsaKey, pki.rsaCert), file: "good.xml")
        #expect(good.valid, "\(messages(good))")
        #expect(good.signatures.first?.partyMatched == true)
        #expect(good.signatures.first?.party?.inn == "2466012340")
        // The executor's certificate is trusted, valid and fit for signing, but it is not the authorised body's.
        let other = verifier.verify(bytes: try sign("SOCORDER", pki.ecKey, pki.ecCert), file: "other.xml")
        #expect(Fixture.codes(other) == ["DG4028"])
        let text = messages(other)
        #expect(text.contains("2466012340") && text.contains("2461004522"), "expected and found are named: \(text)")
    }

    /// The attack of the issue: a web server's certificate from the trusted CA, as the first signer of a social order
    /// and as the "second party" of an agreement between two other organisations.
    @Test func aTLSCertificateSignsNeitherAnOrderNorAnAgreement() throws {
        let verifier = try strict()
        let order = verifier.verify(bytes: try sign("SOCORDER", pki.rsaKey, pki.tlsCert), file: "order.xml")
        #expect(Fixture.codes(order) == ["DG4023", "DG4028"])
        let agreement = try countersign(try sign("AGREEMENT", pki.rsaKey, pki.rsaCert), pki.rsaKey, pki.tlsCert)
        let report = verifier.verify(bytes: agreement, file: "agreement.xml")
        #expect(report.signatures.count == 2)
        #expect(report.signatures[0].valid, "\(messages(report))")
        #expect(Set(report.signatures[1].problems.map(\.code)) == ["DG4023", "DG4028"])
        #expect(!report.valid)
    }

    @Test func theAgreementIsSignedByTheGrantorThenTheExecutor() throws {
        let verifier = try strict()
        let right = try countersign(try sign("AGREEMENT", pki.rsaKey, pki.rsaCert), pki.ecKey, pki.ecCert)
        let report = verifier.verify(bytes: right, file: "right.xml")
        #expect(report.valid, "\(messages(report))")
        #expect(report.signatures.map(\.partyMatched) == [true, true])
        let reversed = try countersign(try sign("AGREEMENT", pki.ecKey, pki.ecCert), pki.rsaKey, pki.rsaCert)
        let wrong = verifier.verify(bytes: reversed, file: "reversed.xml")
        #expect(wrong.signatures.map { Set($0.problems.map(\.code)) } == [["DG4029"], ["DG4029"]])
        // A third organisation (a person, here) as the second signer is not the executor.
        let stranger = try countersign(try sign("AGREEMENT", pki.rsaKey, pki.rsaCert), pki.personKey, pki.qualifiedPersonChain)
        let third = verifier.verify(bytes: stranger, file: "third.xml")
        #expect(third.signatures.map { Set($0.problems.map(\.code)) } == [[], ["DG4028"]], "\(messages(third))")
    }

    /// The contract: the executor, then the consumer (a person, by СНИЛС) from a qualified CA under the root.
    @Test func theContractIsSignedByTheExecutorThenTheConsumer() throws {
        let verifier = try strict()
        let executor = try sign("CONTRACT_", pki.ecKey, pki.ecCert)
        #expect(verifier.verify(bytes: executor, file: "one.xml").valid)
        let both = try countersign(executor, pki.personKey, pki.qualifiedPersonChain)
        let report = verifier.verify(bytes: both, file: "both.xml")
        #expect(report.valid, "\(messages(report))")
        #expect(report.signatures.last?.party?.snils == "11223344595")
        let byGrantor = verifier.verify(bytes: try sign("CONTRACT_", pki.rsaKey, pki.rsaCert), file: "grantor.xml")
        #expect(Fixture.codes(byGrantor) == ["DG4028"])
    }

    /// Issue 16, item 15: the notice of a contract's conclusion is the executor's (АНО «Забота», the EC test signer);
    /// the authorised body it is addressed to does not sign it, and one signature is all it carries.
    @Test func theExecutorSignsItsNoticeOfAContract() throws {
        let verifier = try strict()
        let byExecutor = verifier.verify(bytes: try sign("CONTRACTNOTICE", pki.ecKey, pki.ecCert), file: "notice.xml")
        #expect(byExecutor.valid, "\(messages(byExecutor))")
        #expect(byExecutor.signatures.first?.party?.inn == "2461004522")
        let byAddressee = verifier.verify(bytes: try sign("CONTRACTNOTICE", pki.rsaKey, pki.rsaCert), file: "addressee.xml")
        #expect(Fixture.codes(byAddressee) == ["DG4028"])
    }

    /// Issue 16, item 14: an agreement both parties signed is concluded; the same signatures on a draft contradict
    /// it (DG3081), while a draft the grantor alone signed — the stage before the executor signs — is consistent.
    @Test func aDraftBothPartiesSignedIsAContradiction() throws {
        let validator = try DocumentValidator(schemaDirectory: TestPaths.schemas)
        let draft = try Fixture.edit(try Fixture.edit(try Fixture.bytes(try Fixture.sample("AGREEMENT")), #"event="concluded""#, #"event="draft""#),
                                     "<status>approved</status>", "<status>draft</status>")
        #expect(validator.validate(bytes: draft, file: "draft.xml").valid)
        let byGrantor = try Fixture.sign(draft, with: try Fixture.signer(pki.rsaKey, pki.rsaCert))
        #expect(validator.validate(bytes: byGrantor, file: "draft.xml").valid)
        let both = try countersign(byGrantor, pki.ecKey, pki.ecCert)
        let report = validator.validate(bytes: both, file: "draft.xml")
        #expect(report.diagnostics.filter(\.isError).map(\.code) == ["DG3081"], "\(report.diagnostics.map { $0.code + " " + $0.message.en })")
    }

    @Test func aCertificateWithoutIdentifiersSignsOnlyThroughTheMapping() throws {
        let signed = try sign("SOCORDER", pki.rsaKey, pki.anonymousCert)
        let unmapped = try strict().verify(bytes: signed, file: "a.xml")
        #expect(Fixture.codes(unmapped) == ["DG4028"])
        let fingerprint = try #require(Certificate.load(bytes: Fixture.bytes(pki.anonymousCert), path: "a").first).sha256Fingerprint
        #expect(messages(unmapped).contains(fingerprint), "the verdict names the fingerprint to map")
        let dir = try TemporaryDirectory("mapping")
        defer { dir.remove() }
        // Colon-separated upper-case form, a comment, a blank line.
        let colons = stride(from: 0, to: 64, by: 2).map { i -> String in
            let a = fingerprint.index(fingerprint.startIndex, offsetBy: i)
            return String(fingerprint[a..<fingerprint.index(a, offsetBy: 2)]).uppercased()
        }.joined(separator: ":")
        let right = try dir.write("right.txt", Array("# Минсоцполитики\n\n2466012340  \(colons)  # Иванова\n".utf8))
        #expect(try strict(mapping: SignerMapping(path: right)).verify(bytes: signed, file: "a.xml").valid)
        let wrong = try dir.write("wrong.txt", Array("2461004522 \(fingerprint)\n".utf8))
        #expect(Fixture.codes(try strict(mapping: SignerMapping(path: wrong)).verify(bytes: signed, file: "a.xml")) == ["DG4028"])
    }

    @Test func aMappingFileWithABadLineIsRefusedWithItsLine() throws {
        let dir = try TemporaryDirectory("mapping-bad")
        defer { dir.remove() }
        let fp = String(repeating: "ab", count: 32)
        let snils = try dir.write("snils.txt", Array("112-233-445 95 \(fp)\ngateway \(fp)\n".utf8))
        let mapping = try SignerMapping(path: snils)
        #expect(mapping.lists(fp, for: "11223344595") && mapping.lists(fp, for: "gateway"))
        for (text, line) in [("2466012340 \(fp)\n2466012340 abc\n", 2), ("24660123 \(fp)\n", 1), ("\(fp)\n", 1), ("ИНН \(fp)\n", 1)] {
            let file = try dir.write("bad.txt", Array(text.utf8))
            #expect(throws: SignerMappingError.self) { try SignerMapping(path: file) }
            do { _ = try SignerMapping(path: file) } catch {
                #expect(error.code == "DG4033")
                #expect(error.line == line, "\(text)")
            }
        }
    }

    /// A receipt is the gateway's: its signer must be listed as `gateway` (the gateway adds its own certificate).
    @Test func aReceiptIsSignedOnlyByTheGatewaysCertificate() throws {
        let signed = try sign("RECEIPT", pki.rsaKey, pki.rsaCert)
        #expect(Fixture.codes(try strict().verify(bytes: signed, file: "r.xml")) == ["DG4028"])
        var mapping = SignerMapping()
        mapping.add(try #require(Certificate.load(bytes: Fixture.bytes(pki.rsaCert), path: "r").first).sha256Fingerprint, for: "gateway")
        #expect(try strict(mapping: mapping).verify(bytes: signed, file: "r.xml").valid)
    }

    @Test func theRequiredClassOfSignatureToolIsEnforced() throws {
        let org = try sign("SOCORDER", pki.qualifiedKey, pki.qualifiedOrgChain)          // КС1 and КС2
        let executor = try sign("CONTRACT_", pki.qualifiedKey, pki.qualifiedExecutorChain)  // КС1 only
        let plain = try sign("SOCORDER", pki.rsaKey, pki.rsaCert)                          // no policies
        let ks2 = try strict(policies: ["1.2.643.100.113.2"])
        #expect(ks2.verify(bytes: org, file: "org.xml").valid)
        let refused = ks2.verify(bytes: executor, file: "executor.xml")
        #expect(Fixture.codes(refused) == ["DG4032"])
        #expect(messages(refused).contains("КС2") && messages(refused).contains("1.2.643.100.113.1"))
        #expect(Fixture.codes(ks2.verify(bytes: plain, file: "plain.xml")) == ["DG4032"])
        // Any one of the listed classes suffices.
        #expect(try strict(policies: ["1.2.643.100.113.1", "1.2.643.100.113.3"]).verify(bytes: executor, file: "e.xml").valid)
        #expect(CertificatePolicyName.oid("кс3") == "1.2.643.100.113.3" && CertificatePolicyName.oid("KC2") == "1.2.643.100.113.2")
        #expect(CertificatePolicyName.oid("1.2.x") == nil && CertificatePolicyName.oid("КС4") == nil)
    }

    @Test func aTrustedIntermediateEndsAChainOnlyWhenConfigured() throws {
        let signed = try sign("SOCORDER", pki.qualifiedKey, pki.qualifiedOrgChain)
        let root = try strict()
        #expect(root.verify(bytes: signed, file: "s.xml").valid)
        let intermediateOnly = try strict(trust: pki.intermediateCert)
        #expect(Fixture.codes(intermediateOnly.verify(bytes: signed, file: "s.xml")) == ["DG4020"])
        #expect(try strict(trust: pki.intermediateCert, partialChain: true).verify(bytes: signed, file: "s.xml").valid)
    }

    /// CRLs are checked for every certificate of the path: a signer of a revoked subordinate CA is refused, a
    /// subordinate CA without its CRL leaves its signers' status unknown.
    @Test func aRevokedIntermediateRevokesItsSigners() throws {
        let all = [pki.rootCRL, pki.intermediateCRL, pki.revokedCACRL]
        let verifier = try strict(crls: all)
        let underRevoked = try sign("SOCORDER", pki.qualifiedKey, pki.revokedCASignerChain)
        let report = verifier.verify(bytes: underRevoked, file: "r.xml")
        #expect(Fixture.codes(report) == ["DG4026"])
        #expect(messages(report).contains("Отозванный подчинённый УЦ"), "the revoked certificate is named: \(messages(report))")
        let good = try sign("SOCORDER", pki.qualifiedKey, pki.qualifiedOrgChain)
        #expect(verifier.verify(bytes: good, file: "g.xml").valid)
        let noIntermediateCRL = try strict(crls: [pki.rootCRL])
        #expect(Fixture.codes(noIntermediateCRL.verify(bytes: good, file: "g.xml")) == ["DG4027"])
    }

    /// A CRL past its nextUpdate fails closed; allowed explicitly, it still revokes what it lists, and the verdict
    /// carries a warning.
    @Test func aStaleCRLFailsClosedUnlessAllowed() throws {
        let good = try sign("SOCORDER", pki.rsaKey, pki.rsaCert)
        let revoked = try sign("SOCORDER", pki.rsaKey, pki.revokedCert)
        let closed = SignatureVerifier(trust: try TrustStore(path: pki.caWithStaleCRL), policy: .docgate)
        #expect(Fixture.codes(closed.verify(bytes: good, file: "g.xml")) == ["DG4027"])
        let allowed = SignatureVerifier(trust: try TrustStore(path: pki.caWithStaleCRL, allowStaleCRL: true), policy: .docgate)
        let report = allowed.verify(bytes: good, file: "g.xml")
        #expect(report.valid, "\(messages(report))")
        #expect(report.diagnostics.contains { $0.code == "DG4027" && !$0.isError }, "a warning says the CRL is stale")
        #expect(Fixture.codes(allowed.verify(bytes: revoked, file: "r.xml")) == ["DG4026"])
    }

    @Test func identitiesMatchAsQualifiedCertificatesWriteThem() throws {
        let party = SignerParty(role: LocalizedText(ru: "Сторона", en: "Party"), name: "x", inn: "2466012340", ogrn: "1022401123458")
        func named(_ identity: CertificateIdentity) -> Bool { party.isNamed(by: identity, mapping: nil) }
        #expect(!named(CertificateIdentity(innLE: "2466012340", fingerprint: "")), "the ОГРН the document gives is required")
        #expect(named(CertificateIdentity(inn: "002466012340", ogrn: "1022401123458", fingerprint: "")), "ИНН as 00 and ten digits, before 2021")
        #expect(named(CertificateIdentity(innLE: "2466012340", ogrn: "1022401123458", fingerprint: "")))
        #expect(named(CertificateIdentity(innLE: "2466012340", inn: "246500123456", ogrn: "1022401123458", snils: "11223344595", fingerprint: "")),
                "an employee's certificate: the organisation's ИНН ЮЛ and ОГРН, the person's ИНН and СНИЛС")
        #expect(!named(CertificateIdentity(innLE: "2466012340", ogrn: "1022401123458", fingerprint: "", conflicting: true)))
        #expect(!named(CertificateIdentity(innLE: "2466012340", ogrn: "1022400000000", fingerprint: "")), "the same ИНН, another ОГРН")
        #expect(!named(CertificateIdentity(inn: "246601234000", fingerprint: "")))
        #expect(!named(CertificateIdentity(snils: "11223344595", fingerprint: "")))
        let entrepreneur = SignerParty(role: party.role, name: "ИП", inn: "246500123456", ogrn: "304246500000011")
        #expect(entrepreneur.isNamed(by: CertificateIdentity(inn: "246500123456", ogrnip: "304246500000011", fingerprint: ""), mapping: nil))
        let consumer = SignerParty(role: party.role, name: "Петрова", snils: "11223344595")
        #expect(consumer.isNamed(by: CertificateIdentity(inn: "246500123456", snils: "11223344595", fingerprint: ""), mapping: nil))
        #expect(!consumer.isNamed(by: CertificateIdentity(innLE: "2461004522", ogrn: "1162468055200", snils: "11223344595", fingerprint: ""),
                                  mapping: nil), "the consumer signs as a person, not with an organisation's certificate")
        #expect(!entrepreneur.isNamed(by: CertificateIdentity(inn: "246500123456", ogrnip: "304246500000099", fingerprint: ""), mapping: nil))
        let cert = try #require(Certificate.load(bytes: Fixture.bytes(pki.qualifiedPersonChain), path: "p").first)
        #expect(cert.identity.snils == "11223344595" && cert.identity.inn == "246500123456" && cert.identity.innLE == nil)
        let org = try #require(Certificate.load(bytes: Fixture.bytes(pki.qualifiedOrgChain), path: "o").first)
        #expect(org.identity.innLE == "2466012340" && org.identity.ogrn == "1022401123458")
        #expect(org.policies == ["1.2.643.100.113.1", "1.2.643.100.113.2"])
    }
}

/// Attacks on the signer policy found in review.
extension SignerPolicyTests {
    /// A signer certificate from the trusted root with the subject given (the key is `rsaKey`).
    func issueFromRoot(_ subject: String) throws -> String {
        let dir = try TemporaryDirectory("review-cert")
        let csr = dir.file("s.csr"), out = dir.file("s.pem")
        try pki.openssl(["req", "-new", "-key", pki.rsaKey, "-out", csr, "-subj", subject, "-utf8", "-config", pki.dir + "/ca-req.cnf"])
        let serial = "0x" + (0..<16).map { _ in String(UInt8.random(in: 0...255), radix: 16).leftPad2 }.joined()
        try pki.openssl(["x509", "-req", "-in", csr, "-CA", pki.caCert, "-CAkey", pki.dir + "/ca.key", "-set_serial", serial,
                         "-out", out, "-days", "30", "-extfile", pki.dir + "/ext.cnf", "-extensions", "signer"])
        return out
    }

    /// Two ИНН ЮЛ in one subject: the last one wins, so a certificate of the executor's organisation that also
    /// carries the authorised body's ИНН ЮЛ signs the authorised body's social order. Conflicting identifiers must
    /// name nobody.
    @Test func aSubjectWithTwoINNLEDoesNotNameTheLastOne() throws {
        let cert = try issueFromRoot("/C=RU/O=АНО «Забота»/INNLE=2461004522/INNLE=2466012340/OGRN=1022401123458/CN=Петров Пётр")
        let report = try strict().verify(bytes: try sign("SOCORDER", pki.rsaKey, cert), file: "two-innle.xml")
        #expect(Fixture.codes(report) == ["DG4028"], "accepted as the authorised body: \(messages(report))")
    }

    /// ИНН ЮЛ of one organisation and the old "00"+ИНН of another in one subject: matched through the ИНН.
    @Test func conflictingINNLEAndINNNameNobody() throws {
        let cert = try issueFromRoot("/C=RU/O=АНО «Забота»/INNLE=2461004522/INN=002466012340/OGRN=1022401123458/CN=Петров Пётр")
        let report = try strict().verify(bytes: try sign("SOCORDER", pki.rsaKey, cert), file: "innle-inn.xml")
        #expect(Fixture.codes(report) == ["DG4028"], "accepted as the authorised body: \(messages(report))")
    }

    /// An agreement carrying only the grantor's signature verifies with no finding at all: the executor's
    /// signature, which the policy says the agreement carries, is never asked for.
    @Test func anAgreementWithoutTheExecutorsSignatureIsNotSilentlyValid() throws {
        let signed = try sign("AGREEMENT", pki.rsaKey, pki.rsaCert)
        let report = try strict().verify(bytes: signed, file: "grantor-only.xml")
        #expect(report.diagnostics.contains { $0.code == "DG4036" && !$0.isError && $0.message.en.contains("2461004522") },
                "nothing says the executor has not signed: valid=\(report.valid) \(messages(report))")
        #expect(report.valid, "the grantor's signature itself is good: a warning while the agreement travels to the executor")
        let complete = SignatureVerifier(trust: try TrustStore(path: pki.caCert), policy: .docgate, requireAllParties: true)
        #expect(Fixture.codes(complete.verify(bytes: signed, file: "grantor-only.xml")) == ["DG4036"])
        // A contract without the consumer's signature is complete: that signature is optional.
        #expect(complete.verify(bytes: try sign("CONTRACT_", pki.ecKey, pki.ecCert), file: "c.xml").valid)
    }

    /// The grantor signing twice (two certificates of the grantor's organisation) is reported as "signatures in the
    /// wrong order" (DG4029), though the executor never signed: that is DG4028.
    @Test func theGrantorSigningTwiceIsNotTheExecutor() throws {
        let twice = try countersign(try sign("AGREEMENT", pki.rsaKey, pki.rsaCert), pki.qualifiedKey, pki.qualifiedOrgChain)
        let report = try strict().verify(bytes: twice, file: "twice.xml")
        #expect(report.signatures.count == 2)
        #expect(Set(report.signatures[1].problems.map(\.code)) == ["DG4028"], "\(messages(report))")
    }

    /// An entrepreneur (ИНН ФЛ + ОГРНИП) is matched by any certificate with the same 12-digit ИНН, even an
    /// organisation's certificate (ИНН ЮЛ and ОГРН of a legal entity, the person as its employee or head).
    @Test func anOrganisationsCertificateIsNotTheEntrepreneurs() throws {
        let entrepreneur = SignerParty(role: LocalizedText(ru: "ИП", en: "IP"), name: "ИП", inn: "246500123456", ogrn: "304246500000011")
        let orgHead = CertificateIdentity(innLE: "2461004522", inn: "246500123456", ogrn: "1162468055200", snils: "11223344595", fingerprint: "")
        #expect(!entrepreneur.isNamed(by: orgHead, mapping: nil))
        // Without an ОГРНИП in the document, the ИНН alone must not let an organisation's certificate through.
        let byINN = SignerParty(role: LocalizedText(ru: "ИП", en: "IP"), name: "ИП", inn: "246500123456")
        #expect(!byINN.isNamed(by: orgHead, mapping: nil))
        #expect(byINN.isNamed(by: CertificateIdentity(inn: "246500123456", snils: "11223344595", fingerprint: ""), mapping: nil))
    }
}

private extension String {
    var leftPad2: String { count >= 2 ? self : "0" + self }
}
