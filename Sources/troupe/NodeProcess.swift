import Foundation
import Synchronization
import TroupeHost
import TroupeWire

/// One `troupe node` child process started by a supervisor (`troupe demo`): launched with the
/// same executable, its stdout scanned for the ready line, its stderr written to a log file.
final class NodeProcess: Sendable {
    let service: String
    let nodeID: String
    let arguments: [String]
    let logPath: String
    /// A command prefix the process is started through (e.g. `ip netns exec NS`), or empty.
    let wrapper: [String]
    private let state = Mutex<State>(State())

    private struct State {
        var process: Process?
        var listenAddress: PeerAddress?
        var httpAddress: PeerAddress?
        var exitStatus: Int32?
        var exitWaiters: [CheckedContinuation<Int32, Never>] = []
        var pendingOutput = Data()
    }

    init(service: String, nodeID: String, arguments: [String], logPath: String, wrapper: [String] = []) {
        self.service = service
        self.nodeID = nodeID
        self.arguments = arguments
        self.logPath = logPath
        self.wrapper = wrapper
    }

    /// The line `troupe node` prints on stdout once it listens: `ready node=ID service=S listen=HOST:PORT`.
    static func readyLine(nodeID: String, service: String, listen: PeerAddress) -> String {
        "ready node=\(nodeID) service=\(service) listen=\(listen)"
    }

    /// The path of the running executable (the supervisor spawns copies of itself).
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Starts the process; waits for its ready line and returns the address it listens on.
    func start(timeout: Duration = .seconds(30)) async throws -> PeerAddress {
        let process = Process()
        if wrapper.isEmpty {
            process.executableURL = URL(fileURLWithPath: Self.executablePath)
            process.arguments = arguments
        } else {
            // The wrapper must exec the node in its own process (as `ip netns exec` does), so
            // signals sent to this pid reach the node itself.
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = wrapper + [Self.executablePath] + arguments
        }
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardError = log
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardInput = FileHandle.nullDevice
        process.environment = LauncherWatch.childEnvironment()
        process.terminationHandler = { [weak self] process in self?.exited(process.terminationStatus) }
        state.withLock { $0 = State(process: process) }
        do {
            try process.run()
        } catch {
            throw CommandFailure("cannot start \(nodeID): \(error)")
        }
        PipeDrain.start(stdout.fileHandleForReading) { [weak self] data in self?.received(data) }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (address, status) = state.withLock { ($0.listenAddress, $0.exitStatus) }
            if let address { return address }
            if let status { throw CommandFailure("\(nodeID) exited with status \(status) before it was ready; see \(logPath)") }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw CommandFailure("\(nodeID) did not become ready within \(timeout); see \(logPath)")
    }

    private func received(_ data: Data) {
        state.withLock { state in
            state.pendingOutput.append(data)
            while let newline = state.pendingOutput.firstIndex(of: 0x0A) {
                let line = String(decoding: state.pendingOutput[..<newline], as: UTF8.self)
                state.pendingOutput.removeSubrange(...newline)
                if line.hasPrefix("ready ") {
                    let fields = line.split(separator: " ")
                    if let field = fields.first(where: { $0.hasPrefix("http=") }) {
                        state.httpAddress = PeerAddress(String(field.dropFirst("http=".count)))
                    }
                    if let field = fields.first(where: { $0.hasPrefix("listen=") }) {
                        state.listenAddress = PeerAddress(String(field.dropFirst("listen=".count)))
                    }
                }
            }
        }
    }

    private func exited(_ status: Int32) {
        let waiters = state.withLock { state in
            state.exitStatus = status
            defer { state.exitWaiters.removeAll() }
            return state.exitWaiters
        }
        waiters.forEach { $0.resume(returning: status) }
    }

    /// The HTTP address from the ready line (`http=host:port`), when the node serves HTTP.
    var httpAddress: PeerAddress? { state.withLock { $0.httpAddress } }

    /// The exit status, once the process has exited.
    var exitStatus: Int32? { state.withLock { $0.exitStatus } }

    var isRunning: Bool { state.withLock { $0.process?.isRunning ?? false } }

    /// Sends `signal` to the process.
    func signal(_ signal: Int32) {
        if let pid = state.withLock({ $0.process?.processIdentifier }), pid > 0 { kill(pid, signal) }
    }

    /// Waits for the process to exit; returns its status.
    func waitForExit() async -> Int32 {
        await withCheckedContinuation { continuation in
            let status: Int32? = state.withLock { state in
                if let status = state.exitStatus { return status }
                state.exitWaiters.append(continuation)
                return nil
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    /// SIGTERM, then SIGKILL if it has not exited within `grace`.
    func stop(grace: Duration = .seconds(5)) async {
        guard isRunning else { return }
        signal(SIGTERM)
        let deadline = ContinuousClock.now + grace
        while exitStatus == nil, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if exitStatus == nil {
            signal(SIGKILL)
            _ = await waitForExit()
        }
    }
}
