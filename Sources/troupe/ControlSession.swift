import Foundation
import NIOCore
import NIOPosix
import Troupe
import TroupeMeshNIO
import TroupeWire

/// One CLI conversation with a live node over CONTROL frames, with every failure turned into a
/// one-line ``CommandFailure``.
struct ControlSession {
    let client: ControlClient
    let address: PeerAddress

    static func open(_ address: PeerAddress) async throws -> ControlSession {
        do {
            return ControlSession(client: try await ControlClient.connect(to: address, on: MultiThreadedEventLoopGroup.singleton), address: address)
        } catch {
            throw CommandFailure("cannot reach a node at \(address): \(error)")
        }
    }

    /// Sends `command` with a JSON `payload` and decodes the JSON reply as `Reply`.
    func request<Reply: Decodable>(_ command: String, payload: Data = Data(), as: Reply.Type) async throws -> Reply {
        let bytes = try await rawReply(command, payload: payload)
        do {
            return try JSONDecoder().decode(Reply.self, from: bytes)
        } catch {
            throw CommandFailure("\(address) sent an unreadable reply to \(command): \(error)")
        }
    }

    /// JSON for a request payload.
    static func json(_ value: some Encodable) -> Data {
        (try? JSONEncoder().encode(value)) ?? Data()
    }

    /// Sends `command` and returns the raw JSON reply.
    func rawReply(_ command: String, payload: Data = Data()) async throws -> Data {
        let reply: ControlReply
        do {
            reply = try await client.request(command, payload: ByteBuffer(bytes: payload))
        } catch {
            throw CommandFailure("\(address) did not answer \(command): \(error)")
        }
        let body = Data(reply.payload.readableBytesView)
        guard reply.status == ControlStatus.ok else {
            let message = (try? JSONDecoder().decode(String.self, from: body)) ?? String(decoding: body, as: UTF8.self)
            throw CommandFailure("\(address) refused \(command): \(message)")
        }
        return body
    }

    func close() async { await client.close() }

    /// Opens a session, runs `body` with it and closes it, whether `body` succeeds or throws.
    static func with<Result>(_ address: PeerAddress, _ body: (ControlSession) async throws -> Result) async throws -> Result {
        let session = try await open(address)
        do {
            let result = try await body(session)
            await session.close()
            return result
        } catch {
            await session.close()
            throw error
        }
    }
}
