import Synchronization
public import Troupe
import TroupeMesh
public import TroupeWire

/// Injects the node faults of a ``FaultPlan`` at the runtime's handler hook point
/// (``Node/setHandlerFaultHook(_:)``): handler failures, a slow handler and a pause.
///
/// Failure draws come from one seeded generator; the plan can be replaced at any time. A pause
/// lasts `pauseMillis` from the moment the plan is set: while it lasts, the first delivery waits
/// for its end and the node takes no other notification (not even CONTROL), so it is bounded by
/// design.
public final class HandlerFaultInjector: Sendable {
    private struct State {
        var faults: [NodeFault]
        var random: SplitMix64
        var pausedUntil: ContinuousClock.Instant?
        var counters = HandlerFaultCounters()
    }

    /// The node this injector serves.
    public let nodeID: String
    /// The service it hosts.
    public let service: String
    private let state: Mutex<State>

    /// Creates an injector for the node `nodeID` hosting `service`.
    public init(nodeID: String, service: String, plan: FaultPlan = .empty, seed: UInt64) {
        self.nodeID = nodeID
        self.service = service
        self.state = Mutex(State(faults: [], random: SplitMix64(seed: seed)))
        setPlan(plan, seed: seed)
    }

    /// Replaces the plan (only faults covering this node are kept) and restarts the random
    /// sequence from `seed`; a pause in the plan starts now.
    public func setPlan(_ plan: FaultPlan, seed: UInt64) {
        let faults = plan.nodes.filter { $0.covers(nodeID: nodeID, service: service) }
        let pause = faults.map(\.pauseMillis).max() ?? 0
        let now = ContinuousClock.now
        state.withLock {
            $0.faults = faults
            $0.random = SplitMix64(seed: seed)
            $0.pausedUntil = pause > 0 ? now + .milliseconds(pause) : nil
        }
    }

    /// What the injector has done so far.
    public var counters: HandlerFaultCounters { state.withLock { $0.counters } }

    /// The hook to install with ``Node/setHandlerFaultHook(_:)``.
    public var hook: nonisolated(nonsending) @Sendable (Envelope) async -> HandlerFaultOutcome {
        { [self] envelope in await outcome(for: envelope) }
    }

    /// Decides (and waits out) the faults for one delivery.
    public nonisolated(nonsending) func outcome(for envelope: Envelope) async -> HandlerFaultOutcome {
        let (pausedUntil, slowMillis, fails) = state.withLock { state -> (ContinuousClock.Instant?, Int, Bool) in
            guard !state.faults.isEmpty else { return (nil, 0, false) }
            var fails = false
            for fault in state.faults where fault.handlerFailure > 0 {
                if state.random.chance(fault.handlerFailure) { fails = true }
            }
            let slow = state.faults.map(\.slowHandlerMillis).max() ?? 0
            let paused = state.pausedUntil.flatMap { $0 > .now ? $0 : nil }
            if paused != nil { state.counters.pausedDeliveries += 1 }
            if slow > 0 { state.counters.slowed += 1 }
            if fails { state.counters.failed += 1 }
            return (paused, slow, fails)
        }
        if let pausedUntil { try? await Task.sleep(until: pausedUntil) }
        if slowMillis > 0 { try? await Task.sleep(for: .milliseconds(slowMillis)) }
        return fails ? .fail(reason: "handler failure of \(envelope.type) on \(nodeID)") : .proceed
    }
}
