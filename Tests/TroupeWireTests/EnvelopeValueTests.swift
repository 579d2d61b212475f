import NIOCore
import Testing
import TroupeWire

/// `Envelope` keeps value semantics with its shared storage: a change to one copy is never
/// seen through another, and equality and hashing are by content.
@Suite("Envelope value semantics")
struct EnvelopeValueTests {
    private func sample(body: String = "{\"order\":17}") -> Envelope {
        Envelope(
            eventID: EventID(high: 1, low: 2), type: "OrderPlaced", source: "order", subject: "order-17",
            correlationID: EventID(high: 1, low: 2), causationID: nil, traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            occurredAtMicros: 1_732_000_000_000_000, attempt: 1, headers: [.init(name: "content-type", value: "application/json")],
            body: ByteBuffer(string: body)
        )
    }

    @Test func aChangedCopyLeavesTheOriginalAsItWas() {
        let original = sample()
        var copy = original
        copy.attempt = 3
        copy.type = "OrderCancelled"
        copy.causationID = EventID(high: 9, low: 9)
        copy.headers.append(.init(name: "x", value: "y"))
        copy.body = ByteBuffer(string: "{}")
        #expect(original.attempt == 1 && original.type == "OrderPlaced" && original.causationID == nil)
        #expect(original.headers.count == 1 && original.body == ByteBuffer(string: "{\"order\":17}"))
        #expect(copy.attempt == 3 && copy.type == "OrderCancelled" && copy.causationID == EventID(high: 9, low: 9))
        #expect(copy.headers.count == 2 && copy.body == ByteBuffer(string: "{}"))
        #expect(copy != original)
    }

    @Test func everyFieldReadsBackWhatWasSet() {
        var envelope = sample()
        envelope.eventID = EventID(high: 5, low: 6)
        envelope.source = "payment"
        envelope.subject = ""
        envelope.correlationID = EventID(high: 7, low: 8)
        envelope.traceparent = ""
        envelope.occurredAtMicros = -1
        envelope.attempt = UInt32.max
        envelope.headers = []
        #expect(envelope.eventID == EventID(high: 5, low: 6) && envelope.source == "payment" && envelope.subject.isEmpty)
        #expect(envelope.correlationID == EventID(high: 7, low: 8) && envelope.traceparent.isEmpty)
        #expect(envelope.occurredAtMicros == -1 && envelope.attempt == UInt32.max && envelope.headers.isEmpty)
        #expect(envelope.type == "OrderPlaced" && envelope.body == ByteBuffer(string: "{\"order\":17}"))
    }

    @Test func equalityAndHashingGoByContent() {
        let first = sample()
        let second = sample()
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
        var same = first
        same.attempt = 1  // the value it already had
        #expect(same == first)
        var other = second
        other.subject = "order-18"
        #expect(other != first)
        #expect(Set([first, second, same, other]).count == 2)
        #expect(sample(body: "{\"order\":18}") != first)
    }
}
