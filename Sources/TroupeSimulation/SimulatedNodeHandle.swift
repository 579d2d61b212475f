public import NIOCore
public import Troupe
public import TroupeMesh

/// A node the simulator can step, whatever service it hosts.
public protocol SimulatedNodeHandle: Sendable {
    /// Hands one mesh notification to the node and waits until it is fully handled.
    func process(_ notification: MeshNotification) async -> NodeStepReport
    /// Fires the node's due timers.
    func runTimers() async -> NodeStepReport
    /// Publishes a raw event from outside any handler (poison events of a scenario).
    func publish(type: String, subject: String, body: ByteBuffer) async throws
}

/// The ``SimulatedNodeHandle`` of a ``Node`` hosting `Service`: the real runtime node, typed, so
/// a workload can read its state at the end of a run.
public struct SimulatedNode<Service: ServiceDefinition>: SimulatedNodeHandle {
    /// The runtime node.
    public let node: Node<Service>

    /// Wraps `node`.
    public init(_ node: Node<Service>) {
        self.node = node
    }

    /// See ``SimulatedNodeHandle/process(_:)``.
    public func process(_ notification: MeshNotification) async -> NodeStepReport {
        await node.process(notification)
    }

    /// See ``SimulatedNodeHandle/runTimers()``.
    public func runTimers() async -> NodeStepReport {
        await node.runTimers()
    }

    /// See ``SimulatedNodeHandle/publish(type:subject:body:)``.
    public func publish(type: String, subject: String, body: ByteBuffer) async throws {
        _ = try await node.publish(type: type, subject: subject, body: body)
    }
}
