import Foundation
import NIOCore
import Testing
import TroupeWire

/// Decodes every byte-level example in `Protocol.md` and re-encodes it, so the spec cannot drift.
@Suite struct SpecExampleTests {
    /// One `### Example: NAME` heading and the bytes of the `hex` block after it.
    struct Example: Sendable {
        var name: String
        var bytes: [UInt8]
    }

    static let specURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("../../Sources/TroupeWire/TroupeWire.docc/Protocol.md")
        .standardizedFileURL

    /// Reads the examples following the convention the spec documents.
    static func loadExamples() throws -> [Example] {
        let text = try String(contentsOf: specURL, encoding: .utf8)
        var examples: [Example] = []
        var name: String?
        var hexLines: [String]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if var lines = hexLines {
                if line.trimmingCharacters(in: .whitespaces) == "```" {
                    guard let bytes = bytes(hex: lines.joined(separator: "\n")) else {
                        throw SpecError(message: "example \(name ?? "?") has a malformed hex block")
                    }
                    examples.append(Example(name: name ?? "?", bytes: bytes))
                    hexLines = nil
                    name = nil
                } else {
                    lines.append(String(line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]))
                    hexLines = lines
                }
            } else if line.hasPrefix("### Example: ") {
                name = line.dropFirst("### Example: ".count).trimmingCharacters(in: .whitespaces)
            } else if name != nil, line.trimmingCharacters(in: .whitespaces) == "```hex" {
                hexLines = []
            }
        }
        return examples
    }

    struct SpecError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    static let correlation = EventID(high: 0x0193_4A2B_3C00_0001, low: 0x8899_AABB_CCDD_EEFF)

    /// What each example must decode to.
    static let expected: [String: Frame] = [
        "PING": .ping(Heartbeat(sequence: 1, sentAtNanos: 1_000_000_000)),
        "HELLO": .hello(
            Hello(
                protocolVersion: ProtocolVersion(major: 1, minor: 0),
                identity: NodeIdentity(
                    nodeID: "pay-1", service: "payment", incarnation: 3,
                    listenAddress: PeerAddress(host: "127.0.0.1", port: 7100)
                )
            )
        ),
        "ACK": .ack(Ack(deliveryIDs: [7, 8, 42])),
        "EVENT": .event(
            EventDelivery(
                deliveryID: 42,
                group: "billing",
                envelope: Envelope(
                    eventID: EventID(high: 0x0193_4A2B_3C4D_5E6F, low: 0x0011_2233_4455_6677),
                    type: "OrderPlaced",
                    source: "order-1",
                    subject: "o-17",
                    correlationID: correlation,
                    causationID: correlation,
                    traceparent: "",
                    occurredAtMicros: 1_732_000_000_000_000,
                    attempt: 1,
                    headers: [Envelope.Header(name: "content-type", value: "application/json")],
                    body: ByteBuffer(string: #"{"total":42}"#)
                )
            )
        ),
    ]

    @Test func everyExampleHasAnExpectedValue() throws {
        let names = try Self.loadExamples().map(\.name)
        #expect(names.count == Set(names).count, "example names must be unique")
        #expect(Set(names) == Set(Self.expected.keys))
    }

    @Test(arguments: ["PING", "HELLO", "ACK", "EVENT"])
    func exampleDecodesAndReencodes(name: String) throws {
        let example = try #require(try Self.loadExamples().first { $0.name == name })
        let expected = try #require(Self.expected[name])

        var codec = FrameCodec()
        var buffer = ByteBuffer(bytes: example.bytes)
        let decoded = try codec.decode(from: &buffer)
        #expect(decoded == expected)
        #expect(buffer.readableBytes == 0)

        let reencoded = try FrameCodec().encode(expected)
        #expect(Array(reencoded.readableBytesView) == example.bytes)
    }
}
