import Synchronization
public import Troupe
public import TroupeChaos
public import TroupeWire

/// The handler faults of the current fault plan (`handlerFailure`), decided from a seeded
/// generator. It plays the part of the chaos layer's `HandlerFaultInjector`, whose pauses and
/// slow handlers sleep on the system clock; here pauses and slow handlers are virtual time the
/// scheduler gives the node (see ``Simulator``), and only the failure draw remains.
public final class SimulatedHandlerFaults: Sendable {
    private struct State {
        var faults: [NodeFault] = []
        var random: Xoshiro256StarStar
    }

    private let state: Mutex<State>

    /// Creates an injector with no faults.
    public init(seed: UInt64) {
        state = Mutex(State(random: Xoshiro256StarStar(seed: seed)))
    }

    /// Replaces the node faults in force.
    public func setFaults(_ faults: [NodeFault], seed: UInt64) {
        state.withLock {
            $0.faults = faults.filter { $0.handlerFailure > 0 }
            $0.random = Xoshiro256StarStar(seed: seed)
        }
    }

    /// Whether the delivery of `envelope` to `nodeID` (of `service`) fails.
    public func outcome(nodeID: String, service: String, envelope: Envelope) -> HandlerFaultOutcome {
        state.withLock { state in
            for fault in state.faults where fault.covers(nodeID: nodeID, service: service) {
                let draw = Double(state.random.next() >> 11) / Double(UInt64(1) << 53)
                if draw < fault.handlerFailure {
                    return .fail(reason: "injected handler failure of \(envelope.type) on \(nodeID)")
                }
            }
            return .proceed
        }
    }
}
