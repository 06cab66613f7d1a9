import DocgateTestSupport
import Foundation
import Testing

/// The daemon crashed now and then as it exited (signal 11 after "done"): a worker thread released the route's
/// signing identity while the main thread's exit handlers ran, after OpenSSL's own handler had freed the object
/// table the certificate's names point into. docgate-exit-probe does the same in a fixed order: it releases an
/// identity of each algorithm in an exit handler that runs after OpenSSL's would. It must exit 0.
@Suite struct CryptoExitTests {
    @Test(arguments: ["rsa", "ec", "gost"])
    func anIdentityReleasedWhileTheProcessExitsIsSafe(_ algorithm: String) throws {
        let pki = try TestPKI.shared()
        let probe = TestPaths.buildProducts + "/docgate-exit-probe"
        let r = try ProcessRunner.run(probe, [pki.dir + "/\(algorithm).key", pki.dir + "/\(algorithm).pem"])
        #expect(r.status == 0, "the probe exited with \(r.status): \(r.stderr)")
    }
}
