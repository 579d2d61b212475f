import Foundation
import Testing

/// The saga over a real network: `deploy/netns/run.sh --demo` puts each node in its own network
/// namespace behind a veth, shapes every link with a small token bucket (slow links whose queues
/// drop packets under bursts), and runs `troupe demo` across them.
///
/// Needs root, iproute2 and a kernel with network namespaces; elsewhere the test is skipped and
/// says why.
@Suite("deploy/netns (network namespaces)", .serialized)
struct NetworkNamespaceDemoTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/netns/run.sh").path

    /// Whether this machine can create network namespaces (root, `ip`, `tc`, a kernel that allows it).
    static let available: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/bin/bash") else { return false }
        let probe = "troupe-probe-\(getpid())"
        func ip(_ arguments: [String]) -> Bool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return false }
            process.waitUntilExit()
            return process.terminationStatus == 0
        }
        guard ip(["tc", "-V"]), ip(["ip", "netns", "add", probe]) else { return false }
        return ip(["ip", "netns", "del", probe])
    }()

    struct Report: Decodable {
        var orders: Int
        var pending: Int
        var passed: Bool
    }

    @Test(.enabled(if: available, "network namespaces need root and iproute2 (ip, tc); run deploy/netns/run.sh --demo by hand"))
    func theSagaHoldsEveryInvariantAcrossFourShapedNamespaces() async throws {
        let directory = try TroupeExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let child = try ChildProcess([
            Self.script, "--bin", TroupeExecutable.path, "--dir", directory, "--timeout", "60",
            "--shape", "rate 1mbit burst 3kb limit 4kb", "--demo",
            "--", "--orders", "80", "--rate", "40", "--seed", "11", "--json", "--timeout", "120",
        ], executable: "/bin/bash")
        let finished = await child.waitForExit(timeout: .seconds(300))
        if !finished {
            // SIGTERM first: run.sh's trap then stops the nodes and tears the network down.
            child.kill(SIGTERM)
            if !(await child.waitForExit(timeout: .seconds(30))) { child.kill() }
        }
        #expect(finished, "run.sh finished")
        #expect(child.status == 0, "stderr: \(child.stderr.suffix(3000))")
        let report = try JSONDecoder().decode(Report.self, from: Data(child.stdout.utf8))
        #expect(report.passed && report.orders == 80 && report.pending == 0)
        #expect(child.stderr.contains("packets dropped by the token buckets:"), "the links were shaped")
        #expect(child.stderr.contains("deleted bridge troupe-br0"), "the network was torn down")
        #expect(TroupeExecutable.processes(mentioning: directory).isEmpty, "every node process was stopped")
    }
}
