import DocgateCrypto
@testable import DocgateGateway
import DocgateProcessing
import DocgateSignature
import DocgateTestSupport
import Foundation
import Testing

/// The daemon on a `require_signature` route (issue 15): the attacks of the issue are refused with their codes,
/// and the signer mapping and the CRLs are read again when their files change, without a restart.
@Suite struct SignerPolicyGatewayTests {
    let pki: TestPKI

    init() throws { pki = try TestPKI.shared() }

    func signed(_ bytes: [UInt8], key: String, cert: String) throws -> [UInt8] {
        let signer = DocumentSigner(identity: try SigningIdentity.load(keyPath: key, certificatePath: cert, passphrase: nil), policy: .docgate)
        switch signer.sign(bytes: bytes) {
        case .success(let out): return out
        case .failure(let f): throw f
        }
    }

    func sample(_ prefix: String) throws -> [UInt8] {
        let file = try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix(prefix) })
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
    }

    /// Where a file went and, when refused, the codes its receipt names.
    func outcome(_ site: GatewaySite, _ name: String) -> (delivered: Bool, receipt: String) {
        let delivered = site.files(site.outbox).contains(name)
        let receipt = site.files(site.receipts).filter { $0.contains(name) }.map { site.text(site.receipts + "/" + $0) }.joined()
        return (delivered, receipt)
    }

    @Test func theAttacksOfTheIssueAreRefusedOnTheWayIn() throws {
        let site = try GatewaySite(route: "require_signature = true", extra: """
            trust = "\(pki.caCert)"
            crl = "\(pki.crl)"
            """)
        let order = try sample("SOCORDER")
        try site.put("good.xml", try signed(GatewaySite.order(1), key: pki.rsaKey, cert: pki.rsaCert))
        try site.put("tls.xml", try signed(GatewaySite.order(2), key: pki.rsaKey, cert: pki.tlsCert))
        let agreement = try signed(try signed(try sample("AGREEMENT"), key: pki.rsaKey, cert: pki.rsaCert), key: pki.rsaKey, cert: pki.tlsCert)
        try site.put("tls-second.xml", agreement)
        try site.put("executor.xml", try signed(GatewaySite.order(3), key: pki.ecKey, cert: pki.ecCert))
        try site.put("grantor-only.xml", try signed(try sample("AGREEMENT"), key: pki.rsaKey, cert: pki.rsaCert))
        try site.put("revoked.xml", try signed(GatewaySite.order(4), key: pki.rsaKey, cert: pki.revokedCert))
        let good = String(decoding: try signed(order, key: pki.rsaKey, cert: pki.rsaCert), as: UTF8.self)
        let number = try #require(good.range(of: "<number>24-СЗ/2025-01</number>"))
        try site.put("split.xml", Array(good.replacingCharacters(in: number, with: "<number>2<!---->4-СЗ/2025-01</number>").utf8))
        site.settle()
        #expect(outcome(site, "good.xml").delivered)
        for (name, codes) in [("tls.xml", ["DG4023", "DG4028"]), ("tls-second.xml", ["DG4023", "DG4028"]), ("executor.xml", ["DG4028"]), ("grantor-only.xml", ["DG4036"]),
                              ("revoked.xml", ["DG4026"]), ("split.xml", ["DG4013"])] {
            let (delivered, receipt) = outcome(site, name)
            #expect(!delivered, "\(name) was delivered")
            #expect(site.files(site.errors).contains(name), "\(name) is not in errors/")
            for code in codes { #expect(receipt.contains(code), "\(name): \(code) missing from its receipt") }
        }
    }

    @Test func theMappingAndTheCRLAreReadAgainWhenTheirFilesChange() throws {
        let work = try TemporaryDirectory("reload")
        defer { work.remove() }
        let mapping = work.file("signers.txt")
        let crl = work.file("current.crl")
        try "# nobody yet\n".write(toFile: mapping, atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: pki.emptyCRL, toPath: crl)
        let site = try GatewaySite(route: "require_signature = true", extra: """
            trust = "\(pki.caCert)"
            crl = "\(crl)"
            signers = "\(mapping)"
            """)
        // No ИНН in the certificate, no mapping yet: refused.
        try site.put("a1.xml", try signed(GatewaySite.order(11), key: pki.rsaKey, cert: pki.anonymousCert))
        // Revoked, but not on the CRL in use yet: delivered.
        try site.put("r1.xml", try signed(GatewaySite.order(12), key: pki.rsaKey, cert: pki.revokedCert))
        site.settle()
        #expect(outcome(site, "a1.xml").receipt.contains("DG4028"))
        #expect(outcome(site, "r1.xml").delivered)

        let fingerprint = try #require(Certificate.load(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: pki.anonymousCert))), path: "a").first)
            .sha256Fingerprint
        try "2466012340 \(fingerprint)\n".write(toFile: mapping, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: crl)
        try FileManager.default.copyItem(atPath: pki.crl, toPath: crl)
        try site.put("a2.xml", try signed(GatewaySite.order(13), key: pki.rsaKey, cert: pki.anonymousCert))
        try site.put("r2.xml", try signed(GatewaySite.order(14), key: pki.rsaKey, cert: pki.revokedCert))
        site.settle()
        #expect(outcome(site, "a2.xml").delivered, "\(outcome(site, "a2.xml").receipt)")
        #expect(outcome(site, "r2.xml").receipt.contains("DG4026"))
        #expect(site.log.all.contains { $0.contains("trust reloaded") })

        // A broken mapping is reported, and the one in use stays.
        try "2466012340 not-a-fingerprint\n".write(toFile: mapping, atomically: true, encoding: .utf8)
        try site.put("a3.xml", try signed(GatewaySite.order(15), key: pki.rsaKey, cert: pki.anonymousCert))
        site.settle()
        #expect(outcome(site, "a3.xml").delivered)
        #expect(site.log.all.filter { $0.contains("DG4033") }.count == 1, "reported once: \(site.log.all.filter { $0.contains("DG4033") })")
        // ...and reminded of while it lasts.
        site.clock.advance(VerifierSource.reminderInterval + 1)
        site.gateway.pass()
        #expect(site.log.all.filter { $0.contains("DG4033") }.count == 2)
    }

    @Test func aRouteRequiresItsCertificatePolicies() throws {
        let site = try GatewaySite(route: "require_signature = true\ncertificate_policies = [\"КС2\"]", extra: """
            trust = "\(pki.caCert)"
            """)
        try site.put("ks2.xml", try signed(GatewaySite.order(21), key: pki.qualifiedKey, cert: pki.qualifiedOrgChain))
        try site.put("plain.xml", try signed(GatewaySite.order(22), key: pki.rsaKey, cert: pki.rsaCert))
        site.settle()
        #expect(outcome(site, "ks2.xml").delivered, "\(outcome(site, "ks2.xml").receipt)")
        #expect(outcome(site, "plain.xml").receipt.contains("DG4032"))
    }
}

/// The daemon over months: revocation checking must not stop because a CRL file went missing.
extension SignerPolicyGatewayTests {
    /// CRLs kept in the trust directory (`.crl` files): when the CRL is removed (a failed download, a rotation
    /// script that deletes before it writes), the reload succeeds with no CRL at all, so revocation checking is
    /// switched off and a revoked signer is accepted again, without an error in the log.
    @Test func aCRLRemovedFromTheTrustDirectoryDoesNotTurnRevocationOff() throws {
        let work = try TemporaryDirectory("review-crl-removed")
        defer { work.remove() }
        try FileManager.default.copyItem(atPath: pki.caCert, toPath: work.file("ca.pem"))
        try FileManager.default.copyItem(atPath: pki.crl, toPath: work.file("root.crl"))
        let source = try VerifierSource(.init(trust: work.path, crl: [], signers: nil, partialChain: false, policies: [],
                                              gatewayFingerprint: nil))
        let revoked = try signed(GatewaySite.order(31), key: pki.rsaKey, cert: pki.revokedCert)
        func codes() -> Set<String> {
            Set(source.current.verify(bytes: revoked, file: "r.xml").diagnostics.filter(\.isError).map(\.code))
        }
        #expect(codes() == ["DG4026"])
        try FileManager.default.removeItem(atPath: work.file("root.crl"))
        guard case .failure(let error) = source.refresh(now: 0) else {
            Issue.record("a reload that drops every CRL was accepted")
            return
        }
        #expect(error.code == "DG4027")
        #expect(codes() == ["DG4026"], "the CRL in use stays")
        // Put back, the files load again.
        try FileManager.default.copyItem(atPath: pki.crl, toPath: work.file("root.crl"))
        #expect(try source.refresh(now: 1).get())
    }

    /// The same with the CRL as a PEM block in the trust file: the file rewritten without it (a bundle regenerated
    /// from the CA certificates only) switches revocation off.
    @Test func aTrustFileRewrittenWithoutItsCRLDoesNotTurnRevocationOff() throws {
        let work = try TemporaryDirectory("review-crl-dropped")
        defer { work.remove() }
        let trust = work.file("trust.pem")
        try FileManager.default.copyItem(atPath: pki.caWithCRL, toPath: trust)
        let source = try VerifierSource(.init(trust: trust, crl: [], signers: nil, partialChain: false, policies: [],
                                              gatewayFingerprint: nil))
        let revoked = try signed(GatewaySite.order(32), key: pki.rsaKey, cert: pki.revokedCert)
        func codes() -> Set<String> {
            Set(source.current.verify(bytes: revoked, file: "r.xml").diagnostics.filter(\.isError).map(\.code))
        }
        #expect(codes() == ["DG4026"])
        try String(contentsOfFile: pki.caCert, encoding: .utf8).write(toFile: trust, atomically: true, encoding: .utf8)
        #expect(throws: GatewayError.self) { try source.refresh(now: 0).get() }
        #expect(codes() == ["DG4026"], "the CRL in use stays")
    }
}
