import NIOCore
import Testing
import Troupe
import TroupeChaos
import TroupeWire

/// The handler hook point's decisions: failures by seed, slow handlers, pauses, node matching.
@Suite("HandlerFaultInjector")
struct HandlerFaultInjectorTests {
    static let envelope = Envelope(eventID: EventID(high: 1, low: 1), type: "StockReserved", source: "inventory",
                                   correlationID: EventID(high: 1, low: 1), occurredAtMicros: 0, body: ByteBuffer())

    static func outcomes(_ injector: HandlerFaultInjector, count: Int) async -> [HandlerFaultOutcome] {
        var outcomes: [HandlerFaultOutcome] = []
        for _ in 0..<count { outcomes.append(await injector.outcome(for: envelope)) }
        return outcomes
    }

    @Test func failuresFollowTheSeed() async {
        let plan = FaultPlan(nodes: [NodeFault(node: "payment", handlerFailure: 0.3)])
        let first = await Self.outcomes(HandlerFaultInjector(nodeID: "payment-1", service: "payment", plan: plan, seed: 5), count: 300)
        let second = await Self.outcomes(HandlerFaultInjector(nodeID: "payment-1", service: "payment", plan: plan, seed: 5), count: 300)
        #expect(first == second)
        let failures = first.filter { $0 != .proceed }.count
        #expect((50...130).contains(failures), "\(failures) of 300 at 30%")
    }

    @Test func faultsForAnotherNodeDoNothing() async {
        let injector = HandlerFaultInjector(nodeID: "order", service: "order", plan: FaultPlan(nodes: [NodeFault(node: "payment", handlerFailure: 1)]), seed: 1)
        #expect(await Self.outcomes(injector, count: 20).allSatisfy { $0 == .proceed })
    }

    @Test func aSlowHandlerWaitsAndAPauseHoldsTheFirstDelivery() async {
        let injector = HandlerFaultInjector(nodeID: "payment", service: "payment", plan: FaultPlan(nodes: [NodeFault(slowHandlerMillis: 30)]), seed: 1)
        let clock = ContinuousClock()
        let slow = await clock.measure { _ = await injector.outcome(for: Self.envelope) }
        #expect(slow >= .milliseconds(30))
        injector.setPlan(FaultPlan(nodes: [NodeFault(pauseMillis: 200)]), seed: 1)
        let paused = await clock.measure { _ = await injector.outcome(for: Self.envelope) }
        #expect(paused >= .milliseconds(150))
        let after = await clock.measure { _ = await injector.outcome(for: Self.envelope) }
        #expect(after < .milliseconds(150), "the pause is over")
        #expect(injector.counters.pausedDeliveries == 1 && injector.counters.slowed == 1)
    }
}
