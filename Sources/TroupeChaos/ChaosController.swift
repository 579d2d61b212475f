import Synchronization
import Foundation
import NIOCore
public import TroupeMesh
public import TroupeWire

/// One node's chaos layer: its ``ChaosLinkHook`` (give it to the mesh), its
/// ``HandlerFaultInjector`` (give its hook to the node) and the CONTROL commands that replace
/// the plan at runtime (``ChaosControlCommand``; give ``controlExtension(meshStatistics:)`` to
/// `Node.setControlExtension`).
public final class ChaosController: Sendable {
    /// The link hook point.
    public let linkHook: ChaosLinkHook
    /// The handler hook point.
    public let handlers: HandlerFaultInjector
    /// The node's clock, skewed by ``NodeFault/clockSkewMillis`` (give it to the node).
    public let clock: SkewedNodeClock
    /// Whether ``ChaosControlCommand/crashAfterCommit`` is armed.
    private let crashArmed = Atomic<Bool>(false)

    /// Creates the layer for node `nodeID` hosting `service`, with an initial `plan`.
    public init(nodeID: String, service: String, plan: FaultPlan = .empty, seed: UInt64 = 0) {
        let nodeSeed = ChaosSeed.derive(seed, nodeID: nodeID)
        linkHook = ChaosLinkHook(plan: plan, seed: nodeSeed)
        handlers = HandlerFaultInjector(nodeID: nodeID, service: service, plan: plan, seed: nodeSeed ^ 0x5DEE_CE66_D1CE_F00D)
        clock = SkewedNodeClock()
        clock.setSkew(micros: Self.skewMicros(of: plan, nodeID: nodeID, service: service))
    }

    /// The clock skew `plan` gives the node: the largest in magnitude among its faults.
    static func skewMicros(of plan: FaultPlan, nodeID: String, service: String) -> Int64 {
        let skews = plan.nodes.filter { $0.covers(nodeID: nodeID, service: service) }.map(\.clockSkewMillis)
        return Int64(skews.max { abs($0) < abs($1) } ?? 0) * 1000
    }

    /// Replaces the plan on both hook points.
    public func apply(_ update: FaultPlanUpdate) {
        let nodeSeed = ChaosSeed.derive(update.seed, nodeID: handlers.nodeID)
        linkHook.setPlan(update.plan, seed: nodeSeed)
        handlers.setPlan(update.plan, seed: nodeSeed ^ 0x5DEE_CE66_D1CE_F00D)
        clock.setSkew(micros: Self.skewMicros(of: update.plan, nodeID: handlers.nodeID, service: handlers.service))
    }

    /// The status, with the mesh's rejection counters.
    public func status(mesh: MeshStatistics) -> FaultStatus {
        FaultStatus(nodeID: handlers.nodeID, plan: linkHook.plan, links: linkHook.counters, handlers: handlers.counters,
                    checksumFailures: mesh.checksumFailures, framesRejected: mesh.framesRejected)
    }

    /// A CONTROL extension answering ``ChaosControlCommand``s (nil for any other command).
    public func controlExtension(
        meshStatistics: @escaping @Sendable () async -> MeshStatistics
    ) -> @Sendable (ControlRequest) async -> ControlReply? {
        { [self] request in
            switch request.command {
            case ChaosControlCommand.set:
                do {
                    apply(try JSONDecoder().decode(FaultPlanUpdate.self, from: Data(request.payload.readableBytesView)))
                } catch {
                    return Self.reply(request, status: 400, "bad payload for \(request.command): \(error)")
                }
            case ChaosControlCommand.clear:
                apply(FaultPlanUpdate(plan: .empty, seed: 0))
            case ChaosControlCommand.status:
                break
            case ChaosControlCommand.crashAfterCommit:
                crashArmed.store(true, ordering: .sequentiallyConsistent)
            default:
                return nil
            }
            return Self.reply(request, status: 0, status(mesh: await meshStatistics()))
        }
    }

    /// The after-commit hook point (give it to `Node.setAfterCommitHook`): once
    /// ``ChaosControlCommand/crashAfterCommit`` armed it, the next committed event calls `crash`
    /// — which is expected not to return (the host kills its process) — before the ack is sent.
    public func afterCommitHook(crash: @escaping @Sendable (Envelope) -> Void) -> nonisolated(nonsending) @Sendable (Envelope) async -> Void {
        { [self] envelope in
            if crashArmed.exchange(false, ordering: .sequentiallyConsistent) { crash(envelope) }
        }
    }

    /// Whether a crash-after-commit is armed and has not struck yet.
    public var isCrashAfterCommitArmed: Bool { crashArmed.load(ordering: .sequentiallyConsistent) }

    private static func reply(_ request: ControlRequest, status: UInt16, _ value: some Encodable) -> ControlReply {
        let data = (try? JSONEncoder().encode(value)) ?? Data("null".utf8)
        return ControlReply(requestID: request.requestID, status: status, payload: ByteBuffer(bytes: data))
    }
}
