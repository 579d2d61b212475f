import Foundation
import Synchronization

/// A command-line tool from the system (nghttp, h2load, chromium, openssl), run to completion
/// with its output captured. Tests that need one are disabled with a clear message when it is
/// not installed (CI installs them: `apt-get install -y nghttp2-client chromium`).
struct ExternalTool: Sendable {
    let path: String

    /// The tool on `PATH`, if installed.
    static func find(_ name: String) -> ExternalTool? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") + ["/usr/bin", "/usr/local/bin"]
        for directory in directories {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return ExternalTool(path: path) }
        }
        return nil
    }

    static let nghttp = find("nghttp")
    static let chromium = find("chromium") ?? find("chromium-browser")
    static let openssl = find("openssl")

    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
        var timedOut: Bool
    }

    /// Runs the tool; kills it (SIGKILL) after `timeout` or as soon as `stopWhen` holds for the
    /// output so far.
    func run(_ arguments: [String], input: Data? = nil, timeout: Duration = .seconds(60),
             stopWhen: (@Sendable (Data) -> Bool)? = nil) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        let collected = Mutex<(out: Data, err: Data, open: Int)>((Data(), Data(), 2))
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            collected.withLock { if data.isEmpty { handle.readabilityHandler = nil; $0.open -= 1 } else { $0.out.append(data) } }
        }
        stderr.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            collected.withLock { if data.isEmpty { handle.readabilityHandler = nil; $0.open -= 1 } else { $0.err.append(data) } }
        }
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        let deadline = ContinuousClock.now + timeout
        var timedOut = false
        while process.isRunning {
            if ContinuousClock.now > deadline { timedOut = true; kill(process.processIdentifier, SIGKILL); break }
            if let stopWhen, stopWhen(collected.withLock { $0.out }) { kill(process.processIdentifier, SIGKILL); break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let drainDeadline = ContinuousClock.now + .seconds(30)
        while (process.isRunning || collected.withLock({ $0.open > 0 })) && ContinuousClock.now < drainDeadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        process.waitUntilExit()
        let (out, err, _) = collected.withLock { $0 }
        return Result(status: process.terminationStatus, stdout: out, stderr: String(decoding: err, as: UTF8.self), timedOut: timedOut)
    }
}
