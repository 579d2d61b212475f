import Foundation
import Testing
@testable import Troupe
import TroupeWire

/// The pipeline of handled groups waiting for their commit: submissions in order, keys held
/// until durable, and everything given back when a transaction fails.
@Suite("Commit pipeline")
struct CommitPipelineTests {
    static let peer = NodeIdentity(nodeID: "publisher", service: "source", incarnation: 1,
                                   listenAddress: PeerAddress(host: "127.0.0.1", port: 1))

    /// A group that handled the events numbered `handled`, leaving `state`, and holds copies of `copies`.
    static func group(_ handled: [UInt64], copies: [UInt64] = [], state: Int) -> HandledGroup {
        var group = HandledGroup()
        for number in handled {
            let envelope = makeEnvelope(number)
            let delivery = EventDelivery(deliveryID: number, group: "counter", envelope: envelope)
            group.handled.append(HandledDelivery(delivery: delivery, peer: peer, key: IdempotencyKey(eventID: envelope.eventID),
                                                 expiry: 1_000, publications: [], targets: [], effects: []))
            group.batch.handled.append(HandledEvent(idempotencyKey: IdempotencyKey(eventID: envelope.eventID), expiresAtMicros: 1_000,
                                                    envelope: envelope, group: "counter", handledAtMicros: 0))
        }
        for number in copies {
            group.duplicates.append((EventDelivery(deliveryID: 100 + number, group: "counter", envelope: makeEnvelope(number)), peer))
        }
        group.batch.state = Data("\(state)".utf8)
        return group
    }

    /// The next submission, which must exist.
    static func submission(from pipeline: inout CommitPipeline<Int>, sourceLocation: SourceLocation = #_sourceLocation) throws -> CommitPipeline<Int>.Submission {
        let submission = pipeline.takeSubmission()
        return try #require(submission, sourceLocation: sourceLocation)
    }

    static func key(_ number: UInt64) -> IdempotencyKey { IdempotencyKey(eventID: makeEnvelope(number).eventID) }

    @Test func groupsWaitingTogetherAreSubmittedAsOneBatchInOrderWithTheLastState() throws {
        var pipeline = CommitPipeline<Int>()
        #expect(pipeline.isIdle && pipeline.latestState == nil)
        let nothing = pipeline.takeSubmission()
        #expect(nothing == nil)

        pipeline.append(Self.group([1, 2], state: 10), leaving: 10)
        pipeline.append(Self.group([3], copies: [1], state: 11), leaving: 11)
        #expect(pipeline.latestState == 11)
        #expect(pipeline.waitingDeliveries == 4)

        let submission = try Self.submission(from: &pipeline)
        #expect(submission.batch.handled.map(\.envelope.eventID) == [1, 2, 3].map { makeEnvelope($0).eventID })
        #expect(submission.batch.state == Data("11".utf8), "the later group's state wins")
        #expect(submission.persistFailure == nil)
        #expect(pipeline.waitingDeliveries == 0)
        #expect(pipeline.latestState == 11, "the next group builds on the state still committing")
        let second = pipeline.takeSubmission()
        #expect(second == nil, "one transaction at a time")

        // Handled while the first transaction commits: waits for the next one.
        pipeline.append(Self.group([4], state: 12), leaving: 12)
        let behind = pipeline.takeSubmission()
        #expect(behind == nil)
        let durable = pipeline.committed()
        let committed = try #require(durable)
        #expect(committed.groups.map { $0.handled.map(\.delivery.deliveryID) } == [[1, 2], [3]])
        #expect(committed.state == 11, "the committed state is the last group's")
        #expect(committed.groups[1].duplicates.map(\.delivery.deliveryID) == [101])
        let next = try Self.submission(from: &pipeline)
        #expect(next.batch.handled.map(\.envelope.eventID) == [makeEnvelope(4).eventID])
        _ = pipeline.committed()
        #expect(pipeline.isIdle && pipeline.latestState == nil)
        let nothingCommitting = pipeline.committed()
        #expect(nothingCommitting == nil)
    }

    @Test func aKeyIsHeldFromItsGroupsHandlingUntilItsCommitIsDurable() throws {
        var pipeline = CommitPipeline<Int>()
        pipeline.append(Self.group([1], state: 1), leaving: 1)
        #expect(pipeline.holds(Self.key(1)) && !pipeline.holds(Self.key(2)))
        _ = try Self.submission(from: &pipeline)
        pipeline.append(Self.group([2], state: 2), leaving: 2)
        #expect(pipeline.holds(Self.key(1)) && pipeline.holds(Self.key(2)), "committing and waiting keys both count")
        _ = pipeline.committed()
        #expect(!pipeline.holds(Self.key(1)), "durable: the node's cache has it from here")
        #expect(pipeline.holds(Self.key(2)))
    }

    @Test func aFailedTransactionGivesBackItsGroupsAndThoseHandledOnTopOfThem() throws {
        var pipeline = CommitPipeline<Int>()
        pipeline.append(Self.group([1], state: 1), leaving: 1)
        pipeline.append(Self.group([2], state: 2), leaving: 2)
        _ = try Self.submission(from: &pipeline)
        pipeline.append(Self.group([3], copies: [1], state: 3), leaving: 3)
        let epoch = pipeline.epoch

        let given = pipeline.failed()
        #expect(given.submitted.map { $0.handled.map(\.delivery.deliveryID) } == [[1], [2]])
        #expect(given.following.map { $0.handled.map(\.delivery.deliveryID) } == [[3]])
        #expect(given.following[0].deliveries.map(\.delivery.deliveryID) == [3, 101], "handled, then the copies")
        #expect(pipeline.epoch == epoch + 1, "a group handled before now was handled on a state that is gone")
        #expect(pipeline.isRecovering && pipeline.isIdle && pipeline.latestState == nil)
        #expect(!pipeline.holds(Self.key(1)) && !pipeline.holds(Self.key(3)))
        #expect(pipeline.waitingDeliveries == 0)

        // Nothing is submitted until the recovery is over.
        pipeline.recovered()
        pipeline.append(Self.group([4], state: 4), leaving: 4)
        let after = try Self.submission(from: &pipeline)
        #expect(after.batch.handled.count == 1)
    }

    @Test func theFirstStateThatCouldNotBeRecordedFailsTheTransaction() throws {
        struct Unencodable: Error {}
        var pipeline = CommitPipeline<Int>()
        pipeline.append(Self.group([1], state: 1), leaving: 1)
        var broken = Self.group([2], state: 2)
        broken.persistFailure = Unencodable()
        pipeline.append(broken, leaving: 2)
        let submission = try Self.submission(from: &pipeline)
        #expect(submission.persistFailure is Unencodable)
    }

    @Test func appendingABatchKeepsEachKindInOrderAndTheLaterStateRecords() {
        var earlier = StoreBatch()
        earlier.handled = Self.group([1], state: 0).batch.handled
        earlier.stateRecords = ["a": Data("1".utf8), "b": Data("1".utf8)]
        var later = StoreBatch()
        later.handled = Self.group([2], state: 0).batch.handled
        later.published = [PublishedEvent(envelope: makeEnvelope(9), groups: ["g"], publishedAtMicros: 0)]
        later.stateRecords = ["b": nil, "c": Data("2".utf8)]
        earlier.append(later)
        #expect(earlier.handled.map(\.envelope.eventID) == [makeEnvelope(1).eventID, makeEnvelope(2).eventID])
        #expect(earlier.published.map(\.envelope.eventID) == [makeEnvelope(9).eventID])
        #expect(earlier.stateRecords == ["a": Data("1".utf8), "b": Data?.none, "c": Data("2".utf8)], "b deleted by the later batch")
        #expect(earlier.state == nil && earlier.interest == nil)
    }
}
