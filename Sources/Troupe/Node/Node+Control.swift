import Foundation
public import NIOCore
import TroupeMesh
import Tracing
public import TroupeWire

extension Node {
    /// Answers a CONTROL request from a peer or a client (see ``ControlCommand``).
    func answerControl(_ request: ControlRequest, from peer: NodeIdentity) async {
        let reply = await control(request)
        await mesh.send(.controlReply(reply), toNode: peer.nodeID)
    }

    /// Answers a CONTROL request in process, exactly as it would be answered over the mesh
    /// (the HTTP admin API uses this, so both front doors share one code path).
    public func control(_ request: ControlRequest) async -> ControlReply {
        do {
            return try await controlReply(to: request)
        } catch let error as DecodingError {
            return Self.reply(request, status: ControlStatus.badRequest, json: "bad payload for \(request.command): \(error)")
        } catch let error as NodeError where error.code == .overloaded {
            return Self.reply(request, status: ControlStatus.overloaded, json: error.message)
        } catch {
            return Self.reply(request, status: ControlStatus.failed, json: "\(error)")
        }
    }

    private func controlReply(to request: ControlRequest) async throws -> ControlReply {
        let payload = Data(request.payload.readableBytesView)
        let decoder = JSONDecoder()
        switch request.command {
        case ControlCommand.stats:
            let members = await mesh.connectedMembers().map(\.nodeID)
            return Self.reply(request, json: NodeStatusReply(nodeID: identity.nodeID, service: Service.name,
                                                            statistics: statistics, connectedMembers: members,
                                                            knownGroups: Set(knownInterest.map(\.subscription.group)).sorted()))
        case ControlCommand.state:
            return ControlReply(requestID: request.requestID, status: ControlStatus.ok, payload: ByteBuffer(bytes: try JSONEncoder().encode(state)))
        case ControlCommand.deadLetterList:
            return Self.reply(request, json: try await deadLetters().map(DeadLetterSummary.init))
        case ControlCommand.deadLetterReplay:
            let selection = payload.isEmpty ? DeadLetterSelection() : try decoder.decode(DeadLetterSelection.self, from: payload)
            return Self.reply(request, json: try await replayDeadLetters(ids: selection.ids))
        case ControlCommand.deadLetterPurge:
            let selection = payload.isEmpty ? DeadLetterSelection() : try decoder.decode(DeadLetterSelection.self, from: payload)
            return Self.reply(request, json: try await purgeDeadLetters(ids: selection.ids))
        case ControlCommand.trace:
            let query = try decoder.decode(TraceQuery.self, from: payload)
            guard let correlationID = EventID(query.correlationID) else {
                return Self.reply(request, status: ControlStatus.badRequest, json: "'\(query.correlationID)' is not an event id")
            }
            return Self.reply(request, json: try await trace(correlationID: correlationID).map(ArchivedEventSummary.init))
        case ControlCommand.recentArchive:
            let query = try decoder.decode(RecentArchiveQuery.self, from: payload)
            return Self.reply(request, json: try await store.recentArchivedEvents(limit: max(0, min(query.limit, 10_000))).map(ArchivedEventSummary.init))
        case ControlCommand.publish:
            let wanted = try decoder.decode(PublishRequest.self, from: payload)
            let envelope = try await publish(type: wanted.type, subject: wanted.subject, body: ByteBuffer(string: wanted.body))
            return Self.reply(request, json: PublishReply(eventID: envelope.eventID.description, correlationID: envelope.correlationID.description))
        default:
            if let controlExtension, let reply = await controlExtension(request) { return reply }
            return Self.reply(request, status: ControlStatus.unknownCommand, json: "unknown command '\(request.command)'")
        }
    }

    static func reply(_ request: ControlRequest, status: UInt16 = ControlStatus.ok, json value: some Encodable) -> ControlReply {
        let data = (try? JSONEncoder().encode(value)) ?? Data("null".utf8)
        return ControlReply(requestID: request.requestID, status: status, payload: ByteBuffer(bytes: data))
    }

    /// Adds host-level CONTROL commands (e.g. fault injection); return nil for "not mine".
    public func setControlExtension(_ handler: (@Sendable (ControlRequest) async -> ControlReply?)?) {
        controlExtension = handler
    }

    /// Publishes an event given by type name and JSON body, from outside any handler (CLI,
    /// HTTP ingress). It starts a new correlation and a new trace.
    @discardableResult
    public func publish(type: String, subject: String, body: ByteBuffer, headers: [Envelope.Header] = []) async throws -> Envelope {
        try await publishFromOutside([PendingPublication(event: nil, encodedBody: body, type: type, subject: subject, headers: headers)])[0]
    }
}
