import Foundation

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
    /// output so far. Output goes to temporary files (read whole once the process is gone), so
    /// nothing depends on pipe-reading callbacks.
    func run(_ arguments: [String], input: Data? = nil, timeout: Duration = .seconds(60),
             stopWhen: (@Sendable (Data) -> Bool)? = nil) async throws -> Result {
        let directory = NSTemporaryDirectory() + "troupe-tool-\(UInt64.random(in: 0 ... .max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outPath = "\(directory)/stdout", errPath = "\(directory)/stderr", inPath = "\(directory)/stdin"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        FileManager.default.createFile(atPath: inPath, contents: input ?? Data())
        let stdout = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let stderr = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let stdin = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        defer {
            try? stdout.close()
            try? stderr.close()
            try? stdin.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        // However this returns (a cancelled test throws out of the sleep below), the tool stops.
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
        let deadline = ContinuousClock.now + timeout
        var timedOut = false
        while process.isRunning {
            if ContinuousClock.now > deadline { timedOut = true; kill(process.processIdentifier, SIGKILL); break }
            if let stopWhen, stopWhen((try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data()) {
                kill(process.processIdentifier, SIGKILL)
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.waitUntilExit()
        let out = (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data()
        let err = (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data()
        return Result(status: process.terminationStatus, stdout: out, stderr: String(decoding: err, as: UTF8.self), timedOut: timedOut)
    }
}
