import DocgateCrypto
import Testing
@testable import DocgateSignature

@Suite struct ChainVerdictTests {
    /// An accepted chain is reused only inside the window in which every certificate of its path is valid: at a
    /// moment past the signer's notAfter (or before its notBefore) the chain is checked again and refused.
    @Test func anAcceptedChainIsReusedOnlyWhileItIsValid() throws {
        let pki = try Fixture.pki()
        let trust = try TrustStore(path: pki.caCert)
        let leaf = try Certificate.load(bytes: Fixture.bytes(pki.rsaCert), path: pki.rsaCert)[0]
        let verdicts = ChainVerdicts()
        let inside = leaf.notBefore + 60
        #expect(verdicts.problem(leaf, intermediates: [], trust: trust, at: inside) == nil)
        #expect(verdicts.problem(leaf, intermediates: [], trust: trust, at: inside + 3600) == nil)
        #expect(verdicts.problem(leaf, intermediates: [], trust: trust, at: leaf.notAfter + 60) == .expired(notAfter: leaf.notAfter))
        // (The CA was made in the same minute, so either may be the one not yet valid.)
        guard case .notYetValid = verdicts.problem(leaf, intermediates: [], trust: trust, at: leaf.notBefore - 86_400) else {
            Issue.record("a moment before the window must be refused")
            return
        }
        // The window is the path's: the signer's own validity lies inside the CA's here.
        guard case .success(let validity) = trust.check(leaf, intermediates: [], at: inside) else {
            Issue.record("the chain should verify")
            return
        }
        #expect(validity.from == leaf.notBefore && validity.until == leaf.notAfter)
        // A certificate from another CA is refused whatever was accepted before.
        let other = try TrustStore(path: pki.otherCACert)
        #expect(ChainVerdicts().problem(leaf, intermediates: [], trust: other, at: inside) != nil)
    }
}
