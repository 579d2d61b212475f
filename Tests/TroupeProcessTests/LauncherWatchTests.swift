import Foundation
import Testing
import TroupeTestSupport

/// A node started by a launcher ends when the launcher is killed, so a killed supervisor or a
/// crashed test run leaves no process behind; a node started by hand is not watched.
@Suite("Processes end with their launcher")
struct LauncherWatchTests {
    /// A shell that starts `troupe ARGS` in the background with itself as the launcher, prints
    /// the node's pid, then waits (as `sleep`, keeping its pid) until it is killed.
    private func launcher(_ arguments: [String], asLauncher: Bool) throws -> ChildProcess {
        let assignment = asLauncher ? "TROUPE_LAUNCHER_PID=$$ " : "TROUPE_LAUNCHER_PID= "
        let script = assignment + #""$0" "$@" >/dev/null 2>&1 & echo $!; exec sleep 600"#
        return try ChildProcess(["-c", script, TroupeExecutable.path] + arguments, executable: "/bin/sh")
    }

    private func nodeArguments(_ directory: String) -> [String] {
        ["node", "--service", "order", "--listen", "127.0.0.1:0", "--data", directory]
    }

    /// Whether process `pid` runs the launcher watch's thread.
    private func watches(_ pid: Int32) -> Bool {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.contains { task in
            (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/comm", encoding: .utf8))?.hasPrefix("launcher-watch") == true
        }
    }

    /// Waits until the node of `directory` has opened its store; returns its pid.
    private func startedNode(_ directory: String, besides shell: ChildProcess) async -> Int32? {
        var found: Int32?
        _ = await eventually(timeout: .seconds(60), every: processPoll, "the node started") {
            found = TroupeExecutable.processes(mentioning: directory).first { $0 != shell.pid }
            return found != nil && FileManager.default.fileExists(atPath: directory + "/order.sqlite")
        }
        return found
    }

    @Test func aNodeEndsWhenItsLauncherIsKilled() async throws {
        let directory = try TroupeExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let shell = try launcher(nodeArguments(directory), asLauncher: true)
        let node = await startedNode(directory, besides: shell)
        #expect(node.map(watches) == true)
        shell.kill(SIGKILL)
        #expect(await eventually(timeout: .seconds(60), every: processPoll, "the node ended after its launcher") {
            TroupeExecutable.processes(mentioning: directory).filter { $0 != shell.pid }.isEmpty
        })
        for pid in TroupeExecutable.processes(mentioning: directory) { kill(pid, SIGKILL) }
        _ = await shell.waitForExit(timeout: .seconds(10))
    }

    @Test func aNodeStartedWithoutALauncherIsNotWatched() async throws {
        let directory = try TroupeExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let shell = try launcher(nodeArguments(directory), asLauncher: false)
        let node = await startedNode(directory, besides: shell)
        #expect(node != nil && node.map(watches) == false)
        for pid in TroupeExecutable.processes(mentioning: directory) where pid != shell.pid { kill(pid, SIGKILL) }
        shell.kill(SIGKILL)
        _ = await shell.waitForExit(timeout: .seconds(10))
    }
}
