import Foundation
import Testing

/// A static complement to the determinism guard: the runtime, the simulator and the saga read
/// time and randomness only through the injected clock and seeded generators, except in the
/// few files whose job is to reach the system.
@Suite struct SourceScanTests {
    static let forbidden = ["Date()", "ContinuousClock", ".random(", "SystemRandomNumberGenerator", "Task.sleep", "UUID()", "DispatchTime", "NIODeadline.now"]
    /// File → what it may use, and why.
    static let allowed: [String: Set<String>] = [
        "Sources/Troupe/Node/NodeClock.swift": ["Date()", "ContinuousClock"],            // the system clock itself (guarded)
        "Sources/Troupe/Determinism/DeterminismGuard.swift": [".random("],              // the unseeded fallback seed (guarded)
        "Sources/Troupe/Node/Node.swift": ["Task.sleep"],                               // run()'s ticker; never used when stepping
        "Sources/Troupe/RetryBackoff.swift": [".random("],                              // Double.random(using: &seeded)
    ]

    @Test func noUnguardedTimeOrRandomnessInTheSimulatedCode() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var offences: [String] = []
        var scanned = 0
        for directory in ["Sources/Troupe", "Sources/TroupeSimulation", "Sources/SagaSimulation", "Samples/OrderSaga"] {
            let base = root.appendingPathComponent(directory)
            guard let files = FileManager.default.enumerator(atPath: base.path) else { continue }
            for case let file as String in files where file.hasSuffix(".swift") {
                let relative = "\(directory)/\(file)"
                let text = try String(contentsOfFile: base.appendingPathComponent(file).path, encoding: .utf8)
                scanned += 1
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let code = line.trimmingCharacters(in: .whitespaces)
                    if code.hasPrefix("//") { continue }
                    for pattern in Self.forbidden where code.contains(pattern) && !(Self.allowed[relative]?.contains(pattern) ?? false) {
                        offences.append("\(relative):\(number + 1): \(pattern)")
                    }
                }
            }
        }
        #expect(scanned > 100)
        #expect(offences.isEmpty, "\(offences.joined(separator: "\n"))")
    }
}
