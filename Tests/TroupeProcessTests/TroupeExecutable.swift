import Foundation
import Synchronization
import Testing
import TroupeHost

/// The built `troupe` binary and child processes of it, for multi-process tests.
///
/// `swift test` builds the executable next to the test bundle. Every child is killed when its
/// test ends (``ChildProcess/stop()`` in the test, and SIGKILL in `deinit` as a last resort), so
/// no test leaves a process behind.
enum TroupeExecutable {
    static var path: String {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            bundleDirectory.appendingPathComponent("troupe").path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/troupe").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    /// Runs `troupe ARGS` to completion (or kills it after `timeout`); returns status and output.
    static func run(_ arguments: [String], timeout: Duration = .seconds(300)) async throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try ChildProcess(arguments)
        let exited = await child.waitForExit(timeout: timeout)
        if !exited {
            child.kill()
            Issue.record("troupe \(arguments.joined(separator: " ")) did not finish within \(timeout)")
        }
        _ = await child.waitForExit(timeout: .seconds(10))
        return (child.status ?? -1, child.stdout, child.stderr)
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "troupe-test-\(UInt64.random(in: 0 ... .max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Processes whose command line mentions `marker` (e.g. a test's unique data directory).
    static func processes(mentioning marker: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), pid != getpid(),
                  let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
            let commandLine = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return commandLine.contains(marker) ? pid : nil
        }
    }
}

/// One running `troupe` child (or another program) with its output captured.
final class ChildProcess: Sendable {
    private final class Output: Sendable {
        struct State {
            var stdout = Data()
            var stderr = Data()
            var status: Int32?
            var openPipes = 2
        }

        let state = Mutex(State())
        func withLock<R>(_ body: (inout State) -> R) -> R { state.withLock { body(&$0) } }
    }

    private let process: Process
    private let output = Output()

    init(_ arguments: [String], executable: String = TroupeExecutable.path) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        // A crashed test run must not leave processes behind: a `troupe` child (and every node
        // a `troupe demo` child starts) ends once this process is gone (`LauncherWatch`). Only
        // for `troupe` itself: a script in between would be the child's parent instead.
        if executable == TroupeExecutable.path {
            var environment = ProcessInfo.processInfo.environment
            environment["TROUPE_LAUNCHER_PID"] = String(getpid())
            process.environment = environment
        }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        self.process = process
        process.terminationHandler = { [output] process in output.withLock { $0.status = process.terminationStatus } }
        try process.run()
        // Blocking reads on threads of their own (`PipeDrain`), not `readabilityHandler`: its
        // dispatch read source, left registered while the pipe's descriptor is closed, can
        // crash libdispatch's event thread (seen here in CI).
        PipeDrain.start(stdout.fileHandleForReading, received: { [output] data in output.withLock { $0.stdout.append(data) } },
                        ended: { [output] in output.withLock { $0.openPipes -= 1 } })
        PipeDrain.start(stderr.fileHandleForReading, received: { [output] data in output.withLock { $0.stderr.append(data) } },
                        ended: { [output] in output.withLock { $0.openPipes -= 1 } })
    }

    deinit {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    var stdout: String { output.withLock { String(decoding: $0.stdout, as: UTF8.self) } }
    var stderr: String { output.withLock { String(decoding: $0.stderr, as: UTF8.self) } }
    var status: Int32? { output.withLock { $0.status } }
    var terminationReason: Process.TerminationReason { process.terminationReason }
    var pid: Int32 { process.processIdentifier }

    /// Waits until the process has exited and its output has been read to the end; false if
    /// `timeout` passed first.
    ///
    /// A pipe can stay open after the child exited when a sibling started at the same moment
    /// inherited its write end (tests start children concurrently); once the child has exited,
    /// its output is waited for at most a few seconds more instead of the whole `timeout`.
    func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        var exitedAt: ContinuousClock.Instant?
        while ContinuousClock.now < deadline {
            let (exited, drained) = output.withLock { ($0.status != nil, $0.openPipes == 0) }
            if exited, drained { return true }
            if exited {
                let first = exitedAt ?? ContinuousClock.now
                exitedAt = first
                if ContinuousClock.now - first > .seconds(3) { return true }
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return status != nil
    }

    /// Waits for the `ready ... listen=HOST:PORT` line; returns the listen address text.
    func waitUntilReady(timeout: Duration = .seconds(60)) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix("ready ") }),
               let field = line.split(separator: " ").first(where: { $0.hasPrefix("listen=") }) {
                return String(field.dropFirst("listen=".count))
            }
            if status != nil { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    func kill(_ signal: Int32 = SIGKILL) {
        if process.isRunning { Foundation.kill(process.processIdentifier, signal) }
    }

    /// SIGTERM, then SIGKILL after a grace period; always returns with the process gone.
    func stop() async {
        guard status == nil else { return }
        kill(SIGTERM)
        if await !waitForExit(timeout: .seconds(10)) {
            kill(SIGKILL)
            _ = await waitForExit(timeout: .seconds(10))
        }
    }
}
