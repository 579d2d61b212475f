import Testing
import Troupe
import TroupeWire

@Suite("Delivery state machine: acks, timeouts, NACKs")
struct DeliveryStateMachineTests {
    @Test func fanOutCompletesOnlyAfterEveryGroupAcked() throws {
        var machine = makeMachine()
        let event = makeEnvelope(1)
        let sent = try machine.published(event, groups: ["billing", "shipping", "mail"], now: at(0)).sends
        #expect(sent.map(\.group) == ["billing", "shipping", "mail"])
        #expect(sent.allSatisfy { $0.attempt == 1 && $0.eventID == event.eventID })
        #expect(Set(sent.map(\.deliveryID)).count == 3)
        #expect(sent[0].frame.deliveryID == sent[0].deliveryID && sent[0].frame.group == "billing")

        let first = machine.acknowledged([sent[0].deliveryID, sent[2].deliveryID], now: at(10))
        #expect(first.acknowledgedGroups == ["billing", "mail"])
        #expect(first.completedEvents.isEmpty)
        let last = machine.acknowledged([sent[1].deliveryID], now: at(20))
        #expect(last == [.recordAcknowledged(eventID: event.eventID, group: "shipping"), .completeEvent(event.eventID)])
        #expect(machine.liveSeriesCount == 0 && machine.openEventCount == 0 && machine.nextDeadline == nil)
    }

    @Test func ackTimeoutRedeliversWithGrowingJitteredBackoff() throws {
        var machine = makeMachine(DeliveryPolicy(ackTimeout: .seconds(1), maxDeliveries: 6))
        var sent = try machine.published(makeEnvelope(1), groups: ["billing"], now: at(0)).sends
        var ids = [sent[0].deliveryID]
        var previousDelay = Duration.zero
        for attempt in 1...5 {
            let timeout = try #require(machine.nextDeadline)
            #expect(machine.tick(now: timeout - .milliseconds(1)).isEmpty)
            #expect(machine.tick(now: timeout).isEmpty)  // the retry waits for its backoff
            let retryAt = try #require(machine.nextDeadline)
            let delay = retryAt - timeout
            let base = 200.0 * Double(1 << (attempt - 1))
            #expect(delay.milliseconds >= base * 0.8 && delay.milliseconds <= base, "retry \(attempt): \(delay)")
            #expect(delay > previousDelay)
            previousDelay = delay
            sent = machine.tick(now: retryAt).sends
            #expect(sent.count == 1 && sent[0].attempt == UInt32(attempt + 1))
            #expect(!ids.contains(sent[0].deliveryID))
            ids.append(sent[0].deliveryID)
        }
        #expect(machine.statistics.redeliveries == 5)
    }

    @Test func nackHonoursRetryAfter() throws {
        var machine = makeMachine()
        let sent = try machine.published(makeEnvelope(1), groups: ["billing"], now: at(0)).sends
        #expect(machine.nacked(deliveryID: sent[0].deliveryID, reason: "busy", retryAfter: .seconds(10), now: at(50)).isEmpty)
        #expect(machine.nextDeadline == at(10_050))
        #expect(machine.tick(now: at(10_049)).isEmpty)
        let retry = machine.tick(now: at(10_050)).sends
        #expect(retry.count == 1 && retry[0].attempt == 2)

        // A NACK without retry-after waits for the backoff (200 ms × 2 for retry 2, jitter 20 %).
        let nack = Nack(deliveryID: retry[0].deliveryID, retryAfterMillis: 0, reason: "busy")
        #expect(machine.nacked(nack, now: at(11_000)).isEmpty)
        let wait = try #require(machine.nextDeadline) - at(11_000)
        #expect(wait.milliseconds >= 320 && wait.milliseconds <= 400)
        // A duplicate NACK of the same attempt is ignored.
        #expect(machine.nacked(nack, now: at(11_001)).isEmpty)
        #expect(machine.statistics.ignoredNacks == 1)
    }

    @Test func maxDeliveriesDeadLettersWithAttemptsAndLastError() throws {
        var machine = makeMachine(DeliveryPolicy(ackTimeout: .seconds(1), maxDeliveries: 3))
        let event = makeEnvelope(7)
        var sent = try machine.published(event, groups: ["billing"], now: at(0)).sends
        _ = machine.nacked(deliveryID: sent[0].deliveryID, reason: "db down", now: at(100))
        var deadline = try #require(machine.nextDeadline)
        sent = machine.tick(now: deadline).sends
        #expect(sent[0].attempt == 2)
        let timeoutAt = try #require(machine.nextDeadline)  // attempt 2 times out
        #expect(machine.tick(now: timeoutAt).isEmpty)
        deadline = try #require(machine.nextDeadline)
        sent = machine.tick(now: deadline).sends
        #expect(sent[0].attempt == 3)
        let actions = machine.nacked(deliveryID: sent[0].deliveryID, reason: "boom", now: at(9_000))
        let letter = try #require(actions.deadLetters.first)
        #expect(letter.reason == .maxDeliveriesExceeded)
        #expect(letter.group == "billing" && letter.eventID == event.eventID)
        #expect(letter.lastError == "boom" && letter.attempts == 3)
        #expect(letter.firstFailure == at(100) && letter.lastFailure == at(9_000))
        #expect(actions.completedEvents == [event.eventID])
        #expect(machine.nextDeadline == nil && machine.liveSeriesCount == 0)
    }

    @Test func lastAttemptTimingOutDeadLettersWithAckTimeout() throws {
        var machine = makeMachine(DeliveryPolicy(ackTimeout: .seconds(1), maxDeliveries: 1))
        _ = try machine.published(makeEnvelope(1), groups: ["billing"], now: at(0))
        let actions = machine.tick(now: at(1_000))
        let letter = try #require(actions.deadLetters.first)
        #expect(letter.lastError == "ack timeout" && letter.attempts == 1)
        #expect(letter.envelope.attempt == 1)
    }

    @Test func ackOfOldDeliveryIDAfterRedeliveryEndsSeries() throws {
        var machine = makeMachine(DeliveryPolicy(ackTimeout: .seconds(1)))
        let event = makeEnvelope(1)
        let first = try machine.published(event, groups: ["billing"], now: at(0)).sends[0]
        _ = machine.tick(now: at(1_000))
        let retryAt = try #require(machine.nextDeadline)
        let second = machine.tick(now: retryAt).sends[0]
        #expect(second.attempt == 2 && second.deliveryID != first.deliveryID)

        let actions = machine.acknowledged([first.deliveryID], now: at(1_500))
        #expect(actions == [.recordAcknowledged(eventID: event.eventID, group: "billing"), .completeEvent(event.eventID)])
        #expect(machine.acknowledged([second.deliveryID], now: at(1_600)).isEmpty)
        #expect(machine.statistics.unknownAcks == 1)
        #expect(machine.tick(now: at(100_000)).isEmpty && machine.nextDeadline == nil)
    }

    @Test func ackWhileWaitingForRetryEndsSeries() throws {
        var machine = makeMachine(DeliveryPolicy(ackTimeout: .seconds(1)))
        let first = try machine.published(makeEnvelope(1), groups: ["billing"], now: at(0)).sends[0]
        _ = machine.tick(now: at(1_000))
        #expect(machine.acknowledged([first.deliveryID], now: at(1_010)).completedEvents.count == 1)
        #expect(machine.tick(now: at(60_000)).isEmpty)
    }

    @Test func unknownAckIsIgnoredAndCounted() {
        var machine = makeMachine()
        #expect(machine.acknowledged([99, 100], now: at(0)).isEmpty)
        #expect(machine.statistics.unknownAcks == 2)
        #expect(machine.nacked(deliveryID: 99, reason: "x", now: at(0)).isEmpty)
        #expect(machine.sendFailed(deliveryID: 99, now: at(0)).isEmpty)
        #expect(machine.statistics.ignoredNacks == 1 && machine.statistics.ignoredSendFailures == 1)
    }

    @Test func publishingTheSameEventTwiceDoesNothing() throws {
        var machine = makeMachine()
        _ = try machine.published(makeEnvelope(1), groups: ["billing"], now: at(0))
        #expect(try machine.published(makeEnvelope(1), groups: ["billing", "mail"], now: at(1)).isEmpty)
        #expect(machine.liveSeriesCount == 1)
    }

    @Test func duplicateGroupsAreSentOnce() throws {
        var machine = makeMachine()
        let sent = try machine.published(makeEnvelope(1), groups: ["billing", "billing"], now: at(0)).sends
        #expect(sent.count == 1)
    }

    @Test func sameSeedAndInputsGiveSameRun() throws {
        func run() throws -> [String] {
            var machine = makeMachine(DeliveryPolicy(ackTimeout: .seconds(1), maxDeliveries: 4))
            func describe(_ actions: [DeliveryAction]) -> String {
                "\(actions.sends.map { "\($0.group)#\($0.deliveryID)@\($0.attempt)" }) \(actions.deadLetters.map(\.group))"
            }
            var log = [describe(try machine.published(makeEnvelope(1), groups: ["a", "b"], now: at(0)))]
            while let deadline = machine.nextDeadline {
                log.append("\(deadline) " + describe(machine.tick(now: deadline)))
            }
            return log
        }
        #expect(try run() == run())
    }
}
