import DocgateTestSupport
import Foundation
import Testing

/// The programs the tests start inherit no descriptor of the test process. Foundation opens the files it writes
/// without `O_CLOEXEC`: a PostgreSQL server started (through `pg_ctl`) while another test wrote an inbox file kept that
/// file open for writing until the end of the run, and the gateways rightly never took it — the file "left unclaimed
/// with three instances" of issue 18.
@Suite struct SpawnTests {
    @Test func programsRunByTheTestsInheritNoDescriptor() throws {
        let dir = try TemporaryDirectory("spawn")
        defer { dir.remove() }
        let fd = open(dir.file("held.xml"), O_RDWR | O_CREAT, 0o644)   // as Foundation opens: no O_CLOEXEC
        #expect(fd >= 0)
        defer { close(fd) }
        let result = try ProcessRunner.run("/bin/ls", ["-l", "/proc/self/fd/"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("/proc/") || result.stdout.contains("/dev/"), "\(result.stdout)")
        #expect(!result.stdout.contains("held.xml"), "\(result.stdout)")
    }
}
