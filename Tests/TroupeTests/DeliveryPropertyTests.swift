import PropertyBased
import Testing
@testable import Troupe
import TroupeWire

/// Drives a machine with an operation script and checks its promises as it goes.
private struct DeliveryModel {
    var machine: DeliveryStateMachine
    let maxDeliveries: Int
    let groups = ["a", "b", "c"]  // "c" is ordered by subject
    var now = MonotonicTime.zero
    var issuedIDs: [UInt64] = []
    var published: [Envelope] = []
    var targets: [EventID: [String]] = [:]
    var outcomes: [String: [String]] = [:]  // "event/group" → ["ack" | "dlq"]
    var attempts: [String: UInt32] = [:]
    var completed: [EventID: Int] = [:]
    var routedToOrdered: [EventID] = []
    var subjects: [EventID: String] = [:]
    var problems: [String] = []

    init(maxDeliveries: Int) {
        self.maxDeliveries = maxDeliveries
        let policy = DeliveryPolicy(ackTimeout: .seconds(1), maxDeliveries: maxDeliveries, retention: .seconds(20))
        machine = DeliveryStateMachine(configuration: .init(defaultPolicy: policy, randomSeed: 9))
        var ordered = policy
        ordered.orderedBySubject = true
        machine.setPolicy(ordered, forGroup: "c")
    }

    static func seriesKey(_ id: EventID, _ group: String) -> String { "\(id)/\(group)" }

    mutating func apply(_ op: Int) throws {
        let pick = op / 8
        switch op % 8 {
        case 0:
            let event = makeEnvelope(UInt64(published.count + 1), subject: ["", "s1", "s2"][pick % 3])
            let chosen = groups.enumerated().filter { (pick >> $0.offset) & 1 == 1 }.map(\.element)
            published.append(event)
            if !chosen.isEmpty { routed(event, to: chosen) }
            observe(try machine.published(event, groups: chosen, now: now))
        case 1 where !issuedIDs.isEmpty:
            // Mostly recent ids (likely live), sometimes old ones, plus one id never issued.
            let recent = issuedIDs[issuedIDs.count - 1 - pick % min(3, issuedIDs.count)]
            let any = issuedIDs[pick % issuedIDs.count]
            observe(machine.acknowledged([pick % 4 == 0 ? any : recent, 1 << 40 + UInt64(pick)], now: now))
        case 2 where !issuedIDs.isEmpty:
            let retryAfter = Duration.milliseconds(pick % 2000)
            observe(machine.nacked(deliveryID: issuedIDs[pick % issuedIDs.count], reason: "fail \(pick)", retryAfter: retryAfter, now: now))
        case 3 where !issuedIDs.isEmpty:
            observe(machine.sendFailed(deliveryID: issuedIDs[pick % issuedIDs.count], now: now))
        case 4:
            now = now + .milliseconds(pick % 3000)
            observe(machine.tick(now: now))
        case 5:
            if let deadline = machine.nextDeadline { now = max(now, deadline) }
            observe(machine.tick(now: now))
        case 6:
            guard let parked = machine.parkedEvents.first else { return }
            let chosen = [groups[pick % 3]]
            routed(parked, to: chosen)
            observe(try machine.routeParked(parked.eventID, groups: chosen, now: now))
        default:
            observe(machine.routeAppeared(group: groups[pick % 3], now: now))
        }
    }

    /// Runs every timer out (no more acks): every series must end.
    mutating func drain() {
        var steps = 0
        while let deadline = machine.nextDeadline, steps < 10_000 {
            now = max(now, deadline)
            observe(machine.tick(now: now))
            steps += 1
        }
    }

    mutating func observe(_ actions: [DeliveryAction]) {
        for action in actions {
            switch action {
            case .send(let delivery):
                let key = Self.seriesKey(delivery.eventID, delivery.group)
                issuedIDs.append(delivery.deliveryID)
                if outcomes[key] != nil { problems.append("send after the end of \(key)") }
                if delivery.attempt > UInt32(maxDeliveries) { problems.append("attempt \(delivery.attempt) of \(key)") }
                if delivery.attempt < attempts[key, default: 0] { problems.append("attempt went back for \(key)") }
                attempts[key] = delivery.attempt
                if delivery.group == "c" { checkLane(delivery.envelope) }
            case .recordAcknowledged(let id, let group):
                outcomes[Self.seriesKey(id, group), default: []].append("ack")
            case .deadLetter(let letter):
                if letter.attempts > maxDeliveries { problems.append("dead letter after \(letter.attempts) attempts") }
                let group = letter.group.isEmpty ? "(parked)" : letter.group
                outcomes[Self.seriesKey(letter.eventID, group), default: []].append("dlq")
            case .completeEvent(let id):
                completed[id, default: 0] += 1
                let open = targets[id, default: ["(parked)"]].filter { outcomes[Self.seriesKey(id, $0)] == nil }
                if !open.isEmpty { problems.append("\(id) completed with \(open) open") }
            }
        }
    }

    /// Every event routed to the ordered group before this one, with the same subject, must
    /// have ended (lanes follow routing order: a parked event joins its lane when routed).
    mutating func checkLane(_ envelope: Envelope) {
        guard !envelope.subject.isEmpty, let position = routedToOrdered.firstIndex(of: envelope.eventID) else { return }
        for earlier in routedToOrdered[..<position] where subjects[earlier] == envelope.subject {
            if outcomes[Self.seriesKey(earlier, "c")] == nil {
                problems.append("\(envelope.eventID) sent to c before \(earlier) ended")
            }
        }
    }

    mutating func routed(_ event: Envelope, to chosen: [String]) {
        targets[event.eventID] = chosen
        subjects[event.eventID] = event.subject
        if chosen.contains("c") { routedToOrdered.append(event.eventID) }
    }
}

@Suite("Delivery state machine properties")
struct DeliveryPropertyTests {
    @Test func everySeriesEndsExactlyOnceWithinMaxDeliveries() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...100_000).array(of: 1...80), Gen.int(in: 1...4)) { ops, maxDeliveries in
            var model = DeliveryModel(maxDeliveries: maxDeliveries)
            for op in ops { try model.apply(op) }
            model.drain()
            #expect(model.machine.liveSeriesCount == 0 && model.machine.parkedEvents.isEmpty)
            #expect(model.machine.nextDeadline == nil)
            #expect(model.machine.groups.count == 0, "every group number is given back once its series end")
            for event in model.published {
                #expect(model.completed[event.eventID] == 1, "\(event.eventID) completed \(model.completed[event.eventID] ?? 0)×")
                for group in model.targets[event.eventID, default: ["(parked)"]] {
                    let outcome = model.outcomes[DeliveryModel.seriesKey(event.eventID, group)] ?? []
                    #expect(outcome == ["ack"] || outcome == ["dlq"], "\(event.eventID)/\(group): \(outcome)")
                }
            }
            #expect(model.problems.isEmpty, "\(model.problems)")
        }
    }
}
