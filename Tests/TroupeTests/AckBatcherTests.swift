import Testing
import Troupe
import TroupeWire

@Suite("Ack batcher")
struct AckBatcherTests {
    @Test func flushesWhenBatchIsFull() {
        var batcher = AckBatcher<String>(maximumBatchSize: 3, maximumDelay: .milliseconds(5))
        #expect(batcher.handled(deliveryID: 1, from: "a", now: at(0)).isEmpty)
        #expect(batcher.handled(deliveryID: 2, from: "a", now: at(1)).isEmpty)
        #expect(batcher.handled(deliveryID: 2, from: "a", now: at(1)).isEmpty)  // duplicate id
        let flushes = batcher.handled(deliveryID: 3, from: "a", now: at(2))
        #expect(flushes == [.init(peer: "a", ack: Ack(deliveryIDs: [1, 2, 3]))])
        #expect(batcher.pendingCount == 0 && batcher.nextDeadline == nil)
    }

    @Test func flushesAfterDelayPerPeerOldestFirst() {
        var batcher = AckBatcher<String>(maximumBatchSize: 10, maximumDelay: .milliseconds(5))
        _ = batcher.handled(deliveryID: 1, from: "a", now: at(0))
        _ = batcher.handled(deliveryID: 7, from: "b", now: at(2))
        _ = batcher.handled(deliveryID: 2, from: "a", now: at(3))
        #expect(batcher.nextDeadline == at(5))
        #expect(batcher.tick(now: at(4)).isEmpty)
        #expect(batcher.tick(now: at(5)) == [.init(peer: "a", ack: Ack(deliveryIDs: [1, 2]))])
        #expect(batcher.nextDeadline == at(7))
        #expect(batcher.tick(now: at(100)) == [.init(peer: "b", ack: Ack(deliveryIDs: [7]))])
        #expect(batcher.nextDeadline == nil)
    }

    @Test func flushAllAndDisconnect() {
        var batcher = AckBatcher<String>()
        _ = batcher.handled(deliveryID: 1, from: "a", now: at(0))
        _ = batcher.handled(deliveryID: 2, from: "b", now: at(0))
        _ = batcher.handled(deliveryID: 3, from: "c", now: at(0))
        #expect(batcher.peerDisconnected("b") == 1)
        #expect(batcher.peerDisconnected("zzz") == 0)
        #expect(batcher.flushAll().map(\.peer) == ["a", "c"])
        #expect(batcher.pendingCount == 0 && batcher.flushAll().isEmpty)
    }

    @Test func zeroDelayFlushesImmediately() {
        var batcher = AckBatcher<Int>(maximumBatchSize: 10, maximumDelay: .zero)
        #expect(batcher.handled(deliveryID: 9, from: 1, now: at(0)).map(\.ack.deliveryIDs) == [[9]])
    }

    @Test func aRepeatOfABatchsOnlyIdDoesNotQueueItsPeerTwice() {
        var batcher = AckBatcher<String>(maximumBatchSize: 10, maximumDelay: .milliseconds(5))
        _ = batcher.handled(deliveryID: 4, from: "a", now: at(0))
        _ = batcher.handled(deliveryID: 4, from: "a", now: at(1))
        #expect(batcher.pendingCount == 1)
        #expect(batcher.flushAll() == [.init(peer: "a", ack: Ack(deliveryIDs: [4]))])
    }

    @Test func longBatchesWithRepeatsMatchAModel() {
        // Batches longer than the length up to which repeats are found by scanning.
        var random = SystemRandomNumberGenerator()
        for _ in 0 ..< 200 {
            let size = Int.random(in: 1 ... 100, using: &random)
            var batcher = AckBatcher<Int>(maximumBatchSize: size, maximumDelay: .seconds(1))
            var model: [Int: [UInt64]] = [:]
            var flushed: [AckBatcher<Int>.Flush] = []
            var expected: [AckBatcher<Int>.Flush] = []
            for _ in 0 ..< 300 {
                let peer = Int.random(in: 0 ... 2, using: &random)
                let id = UInt64.random(in: 0 ... 120, using: &random)
                flushed += batcher.handled(deliveryID: id, from: peer, now: at(0))
                if !model[peer, default: []].contains(id) { model[peer, default: []].append(id) }
                if model[peer]!.count >= size {
                    expected.append(.init(peer: peer, ack: Ack(deliveryIDs: model[peer]!)))
                    model[peer] = nil
                }
            }
            #expect(flushed == expected)
            #expect(batcher.pendingCount == model.values.reduce(0) { $0 + $1.count })
            #expect(Set(batcher.flushAll().map(\.peer)) == Set(model.keys))
        }
    }
}
