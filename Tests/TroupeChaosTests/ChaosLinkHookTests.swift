import Foundation
import NIOCore
import Synchronization
import Testing
import TroupeChaos
import TroupeMesh
import TroupeWire

/// The link hook's decisions, without sockets: every fault kind, and the same seed giving the
/// same decisions.
@Suite("ChaosLinkHook")
struct ChaosLinkHookTests {
    static let payment = NodeIdentity(nodeID: "payment", service: "payment", incarnation: 1, listenAddress: PeerAddress(host: "127.0.0.1", port: 7103))
    static let toOrder = LinkEndpoints(local: payment, remoteNodeID: "order", remoteService: "order")
    static let event = Frame.event(EventDelivery(deliveryID: 1, group: "order", envelope: Envelope(
        eventID: EventID(high: 1, low: 2), type: "PaymentCaptured", source: "payment",
        subject: "order-0001", correlationID: EventID(high: 1, low: 2), causationID: nil,
        traceparent: "", occurredAtMicros: 0, attempt: 1, headers: [], body: ByteBuffer(string: "{}")
    )))
    static let ping = Frame.ping(Heartbeat(sequence: 1, sentAtNanos: 0))

    /// A fixed clock, so the bandwidth cap is deterministic too.
    static func hook(_ plan: FaultPlan, seed: UInt64 = 42, clock: TestClock = TestClock()) -> ChaosLinkHook {
        ChaosLinkHook(plan: plan, seed: seed, nowNanos: { clock.nanos })
    }

    /// A monotonic clock the test moves by hand.
    final class TestClock: Sendable {
        private let storage = Mutex<UInt64>(5_000_000_000)
        var nanos: UInt64 { storage.withLock { $0 } }
        func advance(_ nanos: UInt64) { storage.withLock { $0 += nanos } }
    }

    static func decisions(_ hook: ChaosLinkHook, count: Int = 1000) -> [LinkHookDecision] {
        (0..<count).map { _ in hook.outbound(event, encodedSize: 200, link: toOrder) }
    }

    @Test func theSameSeedGivesTheSameDecisions() {
        let plan = FaultPlan(links: [LinkFault(drop: 0.2, duplicate: 0.2, corrupt: 0.1, jitterMillis: 30, reorderWindowMillis: 20)])
        let first = Self.decisions(Self.hook(plan, seed: 7))
        let second = Self.decisions(Self.hook(plan, seed: 7))
        let other = Self.decisions(Self.hook(plan, seed: 8))
        #expect(first == second)
        #expect(first != other)
    }

    @Test func setPlanReseedsTheSequence() {
        let plan = FaultPlan(links: [LinkFault(drop: 0.5)])
        let hook = Self.hook(plan, seed: 3)
        let first = Self.decisions(hook, count: 100)
        hook.setPlan(plan, seed: 3)
        #expect(Self.decisions(hook, count: 100) == first)
        hook.setPlan(FaultPlan(), seed: 3)
        #expect(Self.decisions(hook, count: 100).allSatisfy { $0.isPass })
    }

    /// The mesh skips the hook while it says every frame passes: only while no link fault is
    /// planned (node and handler faults do not touch frames).
    @Test func itPassesEverythingExactlyWhileNoLinkFaultIsPlanned() {
        let hook = Self.hook(FaultPlan())
        #expect(hook.isPassingEverything)
        hook.setPlan(FaultPlan(links: [LinkFault(drop: 1)]), seed: 1)
        #expect(!hook.isPassingEverything)
        #expect(Self.decisions(hook, count: 10).allSatisfy { $0.copies.isEmpty })
        hook.setPlan(FaultPlan(nodes: [NodeFault(node: "payment", handlerFailure: 0.5)]), seed: 1)
        #expect(hook.isPassingEverything)
        #expect(!Self.hook(FaultPlan(links: [LinkFault(partition: true)])).isPassingEverything)
        #expect(PassThroughLinkHook().isPassingEverything)
    }

    @Test func dropAndDuplicateHappenAtRoughlyTheirRates() {
        let drops = Self.decisions(Self.hook(FaultPlan(links: [LinkFault(drop: 0.2)]))).filter { $0.copies.isEmpty }.count
        #expect((120...280).contains(drops), "\(drops) of 1000 dropped at 20%")
        let hook = Self.hook(FaultPlan(links: [LinkFault(duplicate: 0.3)]))
        let twice = Self.decisions(hook).filter { $0.copies.count == 2 }.count
        #expect((200...400).contains(twice), "\(twice) of 1000 duplicated at 30%")
        #expect(hook.counters.duplicated == twice)
    }

    @Test func corruptionFlipsOneByteAfterTheHeader() {
        let hook = Self.hook(FaultPlan(links: [LinkFault(corrupt: 1)]))
        for decision in Self.decisions(hook, count: 200) {
            #expect(decision.copies.count == 1)
            let offsets = decision.copies[0].corruptedByteOffsets
            #expect(offsets.count == 1 && offsets.allSatisfy { (10..<200).contains($0) }, "\(offsets)")
        }
        #expect(hook.counters.corrupted == 200)
    }

    @Test func delayJitterAndReorderStayWithinTheirBounds() {
        let hook = Self.hook(FaultPlan(links: [LinkFault(delayMillis: 10, jitterMillis: 5, reorderWindowMillis: 20)]))
        let delays = Self.decisions(hook, count: 500).map { $0.copies[0].delay.nanoseconds }
        #expect(delays.allSatisfy { (10_000_000...35_000_000).contains($0) })
        #expect(Set(delays).count > 100, "delays vary, so frames reorder")
    }

    @Test func aBandwidthCapQueuesFramesBehindEachOther() {
        let clock = TestClock()
        let hook = Self.hook(FaultPlan(links: [LinkFault(bandwidthBytesPerSecond: 1000)]), clock: clock)
        let delays = Self.decisions(hook, count: 3).map { $0.copies[0].delay.nanoseconds }
        #expect(delays == [200_000_000, 400_000_000, 600_000_000], "200 bytes at 1000 B/s: 0.2 s each, queued")
        clock.advance(10_000_000_000)
        #expect(Self.decisions(hook, count: 1)[0].copies[0].delay.nanoseconds == 200_000_000, "an idle link starts afresh")
    }

    @Test func ackLossDropsOnlyAcks() {
        let hook = Self.hook(FaultPlan(links: [LinkFault(ackLoss: 1)]))
        #expect(Self.decisions(hook, count: 10).allSatisfy { $0.isPass }, "events pass")
        let ack = Frame.ack(Ack(deliveryIDs: [1, 2]))
        #expect(hook.outbound(ack, encodedSize: 40, link: Self.toOrder).copies.isEmpty)
    }

    @Test func probabilisticFaultsLeaveTheControlPlaneAlone() {
        let hook = Self.hook(FaultPlan(links: [LinkFault(drop: 1, corrupt: 1, delayMillis: 100)]))
        #expect(hook.outbound(Self.ping, encodedSize: 30, link: Self.toOrder).isPass)
        #expect(hook.outbound(Self.event, encodedSize: 200, link: Self.toOrder).copies.isEmpty)
    }

    @Test func aPartitionDropsEveryFrameBothWaysButNeverAClient() {
        let hook = Self.hook(FaultPlan(links: [LinkFault(from: "payment", to: "*", bothWays: true, partition: true)]))
        #expect(hook.outbound(Self.ping, encodedSize: 30, link: Self.toOrder).copies.isEmpty)
        #expect(hook.inbound(Self.ping, link: Self.toOrder).copies.isEmpty)
        let order = NodeIdentity(nodeID: "order", service: "order", incarnation: 1, listenAddress: PeerAddress(host: "127.0.0.1", port: 7101))
        let orderToPayment = LinkEndpoints(local: order, remoteNodeID: "payment", remoteService: "payment")
        #expect(hook.outbound(Self.event, encodedSize: 200, link: orderToPayment).copies.isEmpty, "both ways")
        let orderToInventory = LinkEndpoints(local: order, remoteNodeID: "inventory", remoteService: "inventory")
        #expect(hook.outbound(Self.event, encodedSize: 200, link: orderToInventory).isPass, "other links untouched")
        let client = LinkEndpoints(local: Self.payment, remoteNodeID: "troupe-cli-1", remoteService: "troupe-cli", remoteIsClient: true)
        #expect(hook.outbound(Self.ping, encodedSize: 30, link: client).isPass)
        let unknown = LinkEndpoints(local: Self.payment, remoteNodeID: nil, remoteService: nil)
        #expect(hook.inbound(Self.ping, link: unknown).isPass)
    }

    @Test func aPartitionLetsInterestFramesThrough() {
        // SUBSCRIBE/UNSUBSCRIBE over a link that outlives the partition would arrive late over
        // TCP, never be lost: the hook lets them through instead of dropping them.
        let hook = Self.hook(FaultPlan(links: [LinkFault(from: "payment", to: "*", bothWays: true, partition: true)]))
        let subscribe = Frame.subscribe(Subscribe(subscriptionID: 1, group: "payment", pattern: "StockReserved", filter: "", options: []))
        #expect(hook.outbound(subscribe, encodedSize: 60, link: Self.toOrder).isPass)
        #expect(hook.inbound(subscribe, link: Self.toOrder).isPass)
        #expect(hook.outbound(.unsubscribe(Unsubscribe(subscriptionID: 1)), encodedSize: 20, link: Self.toOrder).isPass)
        #expect(hook.outbound(Self.ping, encodedSize: 30, link: Self.toOrder).copies.isEmpty, "heartbeats are cut")
    }

    @Test func aOneWayPartitionDropsOnlyOneDirection() {
        let hook = Self.hook(FaultPlan(links: [LinkFault(from: "payment", to: "order", partition: true)]))
        #expect(hook.outbound(Self.event, encodedSize: 200, link: Self.toOrder).copies.isEmpty)
        #expect(hook.inbound(Self.event, link: Self.toOrder).isPass, "order → payment still flows")
    }

    @Test func faultsMatchByServiceOrNodeID() {
        let plan = FaultPlan(links: [LinkFault(from: "inventory", to: "order", drop: 1)])
        #expect(Self.decisions(Self.hook(plan), count: 10).allSatisfy { $0.isPass }, "payment → order is not inventory → order")
    }

    @Test func aPlanRoundTripsThroughJSONWithDefaults() throws {
        let plan = try JSONDecoder().decode(FaultPlan.self, from: Data(#"{"links": [{"to": "payment", "drop": 0.2}]}"#.utf8))
        #expect(plan == FaultPlan(links: [LinkFault(to: "payment", drop: 0.2)]))
        #expect(try JSONDecoder().decode(FaultPlan.self, from: JSONEncoder().encode(plan)) == plan)
    }
}
