public import Foundation
import NIOCore
import NIOPosix
public import TroupeWire
import TroupeMeshNIO

/// Asks the nodes of the mesh CONTROL commands on behalf of the HTTP API: the local node in
/// process, every other member over a CONTROL connection to its listen address (kept open and
/// reused; dropped and re-dialled after a failure). Faults injected by the chaos layer never
/// touch these connections (they are CONTROL clients), so a partitioned node can still be seen.
public actor MeshControl {
    /// The node this API runs on.
    public nonisolated let local: NodeAdministration
    private var clients: [String: ControlClient] = [:]
    /// Every node ever seen connected, by node id (latest incarnation): a node that drops out of
    /// the mesh — partitioned, crashed — stays listed, and is still asked over CONTROL.
    private var known: [String: NodeIdentity] = [:]
    private let timeout: TimeAmount

    /// Creates the helper for `local`'s mesh.
    public init(local: NodeAdministration, timeout: Duration = .seconds(2)) {
        self.local = local
        self.timeout = .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
    }

    /// The local node, every connected member and every node seen connected before, by node id.
    /// (CONTROL clients, which listen nowhere, are left out.)
    public func members() async -> [NodeIdentity] {
        for member in await local.connectedMembers() where member.nodeID != local.identity.nodeID && member.listenAddress.port != 0 {
            if let seen = known[member.nodeID], seen.incarnation > member.incarnation { continue }
            known[member.nodeID] = member
        }
        return ([local.identity] + known.values).sorted { $0.nodeID < $1.nodeID }
    }

    /// Asks one member; a network failure becomes a 502 ``APIError``.
    public func ask(_ member: NodeIdentity, _ command: String, payload: Data = Data()) async throws(APIError) -> ControlOutcome {
        if member.nodeID == local.identity.nodeID { return await local.control(command, payload) }
        let key = "\(member.listenAddress)"
        do {
            let client = try await client(for: member.listenAddress, key: key)
            let reply = try await client.request(command, payload: ByteBuffer(bytes: payload), timeout: timeout)
            return ControlOutcome(status: reply.status, payload: Data(reply.payload.readableBytesView))
        } catch {
            if let client = clients.removeValue(forKey: key) { await client.close() }
            throw APIError(status: 502, code: "node_unreachable", message: "\(member.nodeID) at \(member.listenAddress) did not answer \(command): \(error)")
        }
    }

    /// Asks every member at once; one result per member, in node-id order.
    public func askAll(_ command: String, payload: Data = Data()) async -> [(member: NodeIdentity, result: Result<ControlOutcome, APIError>)] {
        let members = await members()
        return await withTaskGroup(of: (Int, Result<ControlOutcome, APIError>).self) { group in
            for (index, member) in members.enumerated() {
                group.addTask {
                    let result: Result<ControlOutcome, APIError>
                    do {
                        result = .success(try await self.ask(member, command, payload: payload))
                    } catch let error as APIError {
                        result = .failure(error)
                    } catch {
                        result = .failure(APIError(status: 500, code: "internal", message: "\(error)"))
                    }
                    return (index, result)
                }
            }
            var results: [Int: Result<ControlOutcome, APIError>] = [:]
            while let (index, result) = await group.next() { results[index] = result }
            return members.indices.map { index in
                (members[index], results[index] ?? .failure(APIError(status: 504, code: "no_answer", message: "\(members[index].nodeID) gave no answer to \(command)")))
            }
        }
    }

    /// The first member hosting `service`, if connected.
    public func member(hosting service: String) async -> NodeIdentity? {
        await members().first { $0.service == service }
    }

    /// Closes every CONTROL connection.
    public func close() async {
        let open = clients.values
        clients.removeAll()
        for client in open { await client.close() }
    }

    private func client(for address: PeerAddress, key: String) async throws -> ControlClient {
        if let client = clients[key] { return client }
        let client = try await ControlClient.connect(to: address, on: MultiThreadedEventLoopGroup.singleton, clientID: "troupe-http", timeout: timeout)
        if let existing = clients[key] {
            await client.close()
            return existing
        }
        clients[key] = client
        return client
    }
}
