public import Foundation
import Synchronization
import NIOCore
public import Troupe
public import TroupeMesh
public import TroupeWire

/// The in-process handle the HTTP API drives one node through: its identity, its CONTROL
/// commands (the very code path the mesh's CONTROL frames take) and its connected members.
public struct NodeAdministration: Sendable {
    /// The node's identity (id, service, listen address).
    public var identity: NodeIdentity
    /// Runs a CONTROL command with a JSON payload.
    public var control: @Sendable (_ command: String, _ payload: Data) async -> ControlOutcome
    /// Members the node is connected to right now.
    public var connectedMembers: @Sendable () async -> [NodeIdentity]

    /// Creates a handle from closures (tests, other hosts).
    public init(
        identity: NodeIdentity,
        control: @escaping @Sendable (_ command: String, _ payload: Data) async -> ControlOutcome,
        connectedMembers: @escaping @Sendable () async -> [NodeIdentity]
    ) {
        self.identity = identity
        self.control = control
        self.connectedMembers = connectedMembers
    }

    /// The handle of a running node on `mesh`.
    public init<S: ServiceDefinition>(node: Node<S>, mesh: any MeshTransport) {
        let requestIDs = RequestCounter()
        self.init(
            identity: mesh.identity,
            control: { command, payload in
                let reply = await node.control(ControlRequest(requestID: requestIDs.next(), command: command, payload: ByteBuffer(bytes: payload)))
                return ControlOutcome(status: reply.status, payload: Data(reply.payload.readableBytesView))
            },
            connectedMembers: { await mesh.connectedMembers() }
        )
    }
}

/// A CONTROL reply: status (``ControlStatus``) and JSON payload.
public struct ControlOutcome: Sendable, Hashable {
    /// ``ControlStatus`` value.
    public var status: UInt16
    /// The JSON payload (a result, or a JSON string saying why not).
    public var payload: Data

    /// Creates an outcome.
    public init(status: UInt16, payload: Data) {
        self.status = status
        self.payload = payload
    }

    /// The payload decoded as `T` when the status is ok; otherwise the matching ``APIError``.
    public func decode<T: Decodable>(_ type: T.Type, command: String) throws(APIError) -> T {
        try ensureOK(command: command)
        do {
            return try JSONDecoder().decode(T.self, from: payload)
        } catch {
            throw APIError(status: 502, code: "bad_node_reply", message: "the reply to \(command) does not decode: \(error)")
        }
    }

    /// Throws the ``APIError`` a non-ok status maps to.
    public func ensureOK(command: String) throws(APIError) {
        guard status != ControlStatus.ok else { return }
        let message = (try? JSONDecoder().decode(String.self, from: payload)) ?? String(decoding: payload, as: UTF8.self)
        switch status {
        case ControlStatus.badRequest: throw APIError(status: 400, code: "bad_request", message: message)
        case ControlStatus.unknownCommand: throw APIError(status: 501, code: "not_supported", message: "this node does not support \(command)")
        case ControlStatus.overloaded: throw APIError(status: 503, code: "overloaded", message: message, headers: ["Retry-After": "1"])
        default: throw APIError(status: 500, code: "command_failed", message: "\(command) failed: \(message)")
        }
    }
}

/// Request ids for in-process CONTROL requests.
final class RequestCounter: Sendable {
    private let value = Atomic<UInt64>(0)
    func next() -> UInt64 { value.add(1, ordering: .relaxed).newValue }
}
