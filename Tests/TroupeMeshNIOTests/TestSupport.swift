import Foundation
import Logging
import NIOCore
import NIOPosix
import TroupeMesh
import TroupeMeshNIO
import TroupeWire
import Testing

/// Records everything a node's notifications deliver.
actor NotificationLog {
    private(set) var events: [EventDelivery] = []
    private(set) var up: [String] = []
    private(set) var down: [String] = []
    private(set) var acks: [Ack] = []

    func record(_ notification: MeshNotification) {
        switch notification {
        case .inbound(.event(let delivery, _)): events.append(delivery)
        case .inbound(.ack(let ack, _)): acks.append(ack)
        case .memberUp(let member): up.append(member.nodeID)
        case .memberDown(let member, _): down.append(member.nodeID)
        default: break
        }
    }
}

/// A node under test with a task draining its notifications into a log.
struct RunningNode {
    let node: MeshNode
    let log: NotificationLog
    let drain: Task<Void, Never>

    static func start(
        _ nodeID: String, service: String? = nil, port: UInt16 = 0, incarnation: UInt64 = 1,
        seeds: [PeerAddress] = [], on group: MultiThreadedEventLoopGroup,
        hook: any LinkHook = PassThroughLinkHook(), drainNotifications: Bool = true,
        configure: (inout MeshConfiguration) -> Void = { _ in }
    ) async throws -> RunningNode {
        let identity = NodeIdentity(
            nodeID: nodeID, service: service ?? nodeID, incarnation: incarnation,
            listenAddress: PeerAddress(host: "127.0.0.1", port: port)
        )
        var configuration = MeshConfiguration(
            identity: identity, seeds: seeds,
            heartbeatInterval: .milliseconds(100), failureTimeout: .milliseconds(1500)
        )
        configure(&configuration)
        var logger = Logger(label: "test")
        logger.logLevel = ProcessInfo.processInfo.environment["TROUPE_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        let node = try await MeshNode.start(configuration: configuration, on: group.next(), hook: hook, logger: logger)
        let log = NotificationLog()
        let notifications = node.notifications
        let drain = Task {
            guard drainNotifications else { return }
            for await notification in notifications { await log.record(notification) }
        }
        return RunningNode(node: node, log: log, drain: drain)
    }

    var address: PeerAddress { node.identity.listenAddress }

    func stop() async {
        await node.shutdown()
        await drain.value
    }
}

func envelope(_ type: String, _ n: Int, body: String = "{}") -> Envelope {
    Envelope(
        eventID: EventID(high: UInt64(n), low: UInt64(n)), type: type, source: "test",
        correlationID: EventID(high: 0, low: UInt64(n)), occurredAtMicros: 0, body: ByteBuffer(string: body)
    )
}
