import NIOCore
import Troupe
import TroupeWire

/// An envelope whose id sorts by `number`.
func makeEnvelope(
    _ number: UInt64,
    type: String = "OrderPlaced",
    subject: String = "",
    body: String = "{}",
    headers: [Envelope.Header] = []
) -> Envelope {
    Envelope(
        eventID: EventID(high: number, low: number),
        type: type,
        source: "node-a",
        subject: subject,
        correlationID: EventID(high: number, low: 0),
        occurredAtMicros: 0,
        headers: headers,
        body: ByteBuffer(string: body)
    )
}

/// `milliseconds` after the origin of the manual clock.
func at(_ milliseconds: Int64) -> MonotonicTime { .at(.milliseconds(milliseconds)) }

extension Array where Element == DeliveryAction {
    var sends: [OutgoingDelivery] {
        compactMap { if case .send(let delivery) = $0 { delivery } else { nil } }
    }

    var deadLetters: [DeadLetter] {
        compactMap { if case .deadLetter(let letter) = $0 { letter } else { nil } }
    }

    var completedEvents: [EventID] {
        compactMap { if case .completeEvent(let id) = $0 { id } else { nil } }
    }

    var acknowledgedGroups: [String] {
        compactMap { if case .recordAcknowledged(_, let group) = $0 { group } else { nil } }
    }
}

extension Duration {
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}

/// A machine with one policy for every group and a fixed seed.
func makeMachine(
    _ policy: DeliveryPolicy = DeliveryPolicy(),
    maximumLiveSeries: Int = 100,
    maximumParkedEvents: Int = 100,
    firstDeliveryID: UInt64 = 1
) -> DeliveryStateMachine {
    DeliveryStateMachine(
        configuration: .init(
            defaultPolicy: policy,
            maximumLiveSeries: maximumLiveSeries,
            maximumParkedEvents: maximumParkedEvents,
            firstDeliveryID: firstDeliveryID,
            randomSeed: 42
        )
    )
}
