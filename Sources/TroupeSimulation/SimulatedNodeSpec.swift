public import Logging
public import Troupe
public import TroupeMesh
public import TroupeWire

/// What a simulated node is built from; the simulator builds one at the start and again at
/// every restart, on the same store.
public struct SimulatedNodeEnvironment: Sendable {
    /// The node's port into the simulated network.
    public var mesh: any MeshTransport
    /// The node's store; it survives crashes.
    public var store: any NodeStore
    /// The node's clock (virtual time plus skew).
    public var clock: any NodeClock
    /// The runtime configuration: a seed derived from the run's seed, inline effects, and
    /// the planted bug if any.
    public var configuration: NodeConfiguration
    /// The handler fault hook of the current fault plan.
    public var handlerFaultHook: @Sendable (Envelope) async -> HandlerFaultOutcome
    /// A logger that discards everything (a sweep would otherwise print thousands of warnings
    /// about the faults it injected).
    public var logger: Logger
}

/// One node of a simulation: its id, its service (the name faults and partitions target) and
/// how to build its runtime node.
public struct SimulatedNodeSpec: Sendable {
    /// The node id, e.g. `payment-1`.
    public var nodeID: String
    /// The service it hosts, e.g. `payment`.
    public var service: String
    /// Builds the node in `environment` and prepares it for stepping.
    public var make: @Sendable (SimulatedNodeEnvironment) async throws -> any SimulatedNodeHandle

    /// A spec from its parts.
    public init(nodeID: String, service: String, make: @escaping @Sendable (SimulatedNodeEnvironment) async throws -> any SimulatedNodeHandle) {
        self.nodeID = nodeID
        self.service = service
        self.make = make
    }

    /// A node hosting `service` — the same service value a TCP deployment hosts.
    public static func hosting<S: ServiceDefinition>(_ service: S, nodeID: String) -> SimulatedNodeSpec {
        SimulatedNodeSpec(nodeID: nodeID, service: S.name) { environment in
            let node = try await Node(
                service: service, mesh: environment.mesh, store: environment.store,
                configuration: environment.configuration, clock: environment.clock, logger: environment.logger
            )
            await node.setHandlerFaultHook(environment.handlerFaultHook)
            try await node.prepareForStepping()
            return SimulatedNode(node)
        }
    }
}
