import NIOCore
import Synchronization
import Troupe
import TroupeChaos
import TroupeMesh
import TroupeWire

/// The network of a simulation: every node's mesh state machine, the connections between them,
/// the frames in flight and the scheduler's agenda, behind one lock.
///
/// Two parties use it, never at the same time: the ``Simulator``'s loop (taking the next item,
/// running network items) and the nodes, through their ``SimulatedMeshTransport``s, while the
/// loop awaits one of their steps. The lock makes that safe by construction rather than by
/// argument; it is never contended, so it costs little.
final class SimulatedNetwork: Sendable {
    let time: VirtualTime
    /// The one executor every node of the run and the simulator's driver run on.
    let executor = SerialQueueExecutor(label: "troupe.simulation")
    private let state: Mutex<SimulatedNetworkState>

    init(time: VirtualTime, hook: ChaosLinkHook, seed: UInt64, keepsTrace: Bool, meshTickNanos: Int64) {
        self.time = time
        self.state = Mutex(SimulatedNetworkState(time: time, hook: hook, seed: seed, keepsTrace: keepsTrace, meshTickNanos: meshTickNanos))
    }

    func withState<Result>(_ body: (inout SimulatedNetworkState) throws -> Result) rethrows -> Result {
        try state.withLock { try body(&$0) }
    }

    func addHost(_ nodeID: String, service: String, address: PeerAddress) {
        withState {
            $0.hosts[nodeID] = SimulatedHost(nodeID: nodeID, service: service, address: address)
            $0.addresses[address] = nodeID
        }
    }

    func schedule(_ item: SimulationItem, at nanoseconds: Int64) {
        withState { $0.queue.schedule(item, at: nanoseconds) }
    }

    /// Takes the next item and moves the clock to its instant.
    func next() -> (Int64, SimulationItem)? {
        withState { state in
            guard let entry = state.queue.pop() else { return nil }
            time.advance(to: max(time.nanoseconds, entry.nanoseconds))
            return (entry.nanoseconds, entry.item)
        }
    }

    func note(_ text: String) {
        withState { $0.note(text) }
    }

    /// The next notification for `nodeID`'s runtime, unless the node is down, busy or has none.
    func takeNotification(for nodeID: String) -> MeshNotification? {
        withState { state in
            let now = state.now
            // In place: copying the host would copy its whole mesh state machine.
            return state.hosts[nodeID]?.takeNotification(now: now)
        }
    }
}

/// A node's port into the simulated network: the ``MeshTransport`` its runtime ``Node`` uses,
/// exactly where a TCP node would use a `MeshNode`.
///
/// Every call runs the node's real `MeshStateMachine` under the network's lock and performs the
/// actions it returns (frames go onto simulated wires). A transport belongs to one incarnation of
/// its node: once that process crashed, its calls do nothing.
final class SimulatedMeshTransport: MeshTransport {
    let identity: NodeIdentity
    private let network: SimulatedNetwork
    private let filter: ContentFilterCache

    init(identity: NodeIdentity, network: SimulatedNetwork) {
        self.identity = identity
        self.network = network
        self.filter = ContentFilterCache()
    }

    /// The run's one executor: a node on it and the driver hand control to each other with a
    /// queue append, no thread hop.
    var preferredExecutor: (any SerialExecutor)? { network.executor }

    /// Empty: the simulator hands notifications to the node itself, one step at a time (see
    /// `Node.process(_:)`), instead of the node pulling them from a stream.
    var meshNotifications: any AsyncSequence<MeshNotification, Never> {
        AsyncStream<MeshNotification> { $0.finish() }
    }

    private func withMachine<Result>(_ fallback: Result, _ body: (inout SimulatedNetworkState, String) -> Result) -> Result {
        network.withState { state in
            guard let host = state.hosts[identity.nodeID], host.isUp, host.incarnation == identity.incarnation else { return fallback }
            return body(&state, identity.nodeID)
        }
    }

    func subscribe(_ subscription: Subscribe) async {
        withMachine(()) { state, nodeID in
            let actions = state.hosts[nodeID]!.machine!.subscribe(subscription)
            state.perform(actions, at: nodeID)
        }
    }

    func route(_ envelope: Envelope, deliveryID: UInt64, toGroup group: String) async throws -> RouteOutcome {
        let filter = self.filter
        return withMachine(RouteOutcome.noLiveMember) { state, nodeID in
            let (outcome, action) = state.hosts[nodeID]!.machine!.route(
                envelope, deliveryID: deliveryID, toGroup: group, accepts: { filter.accepts($0, envelope) }
            )
            if let action { state.perform([action], at: nodeID) }
            return outcome
        }
    }

    @discardableResult
    func send(_ frame: Frame, toNode nodeID: String) async -> Bool {
        withMachine(false) { state, ownID in
            guard let action = state.hosts[ownID]!.machine!.send(frame, toNode: nodeID) else { return false }
            state.perform([action], at: ownID)
            return true
        }
    }

    func knownSubscriptions() async -> [LearnedSubscription] {
        withMachine([]) { state, nodeID in state.hosts[nodeID]!.machine!.subscriptions }
    }

    func connectedMembers() async -> [NodeIdentity] {
        withMachine([]) { state, nodeID in state.hosts[nodeID]!.machine!.connectedMembers }
    }

    /// Nothing to do: the simulator ends a node by crashing it or by ending the run.
    func shutdown() async {}
}
