import ArgumentParser
import Foundation
import OrderSaga
import Troupe
import TroupeStore
import TroupeWire

/// Where `troupe check` and `troupe trace` read nodes from: the SQLite files in a data
/// directory (live or stopped nodes alike — WAL lets readers in), or live nodes over CONTROL.
enum NodeDataSource {
    case directory(String)
    case live([PeerAddress])

    init(data: String?, nodes: [PeerAddress]) throws {
        if data != nil, !nodes.isEmpty { throw ValidationError("give either --data or --node, not both") }
        if let data {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CommandFailure("no data directory at \(data)")
            }
            self = .directory(data)
        } else if !nodes.isEmpty {
            self = .live(nodes)
        } else {
            throw ValidationError("give --data DIR (the nodes' data directory) or --node host:port (repeatable)")
        }
    }

    /// Node ids with a database in the directory (`<id>.sqlite`).
    static func nodeIDs(in directory: String) throws -> [String] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        return files.filter { $0.hasSuffix(".sqlite") }.map { String($0.dropLast(".sqlite".count)) }.sorted()
    }

    static func store(_ nodeID: String, in directory: String) throws -> SQLiteNodeStore {
        do {
            return try SQLiteNodeStore(path: "\(directory)/\(nodeID).sqlite", nodeID: nodeID)
        } catch {
            throw CommandFailure("cannot open \(directory)/\(nodeID).sqlite: \(error)")
        }
    }

    /// Archive rows of one correlation from every node.
    func trace(_ correlationID: EventID) async throws -> [ArchivedEventSummary] {
        switch self {
        case .directory(let directory):
            var rows: [ArchivedEventSummary] = []
            for nodeID in try Self.nodeIDs(in: directory) {
                rows += try await Self.store(nodeID, in: directory).archivedEvents(correlationID: correlationID).map(ArchivedEventSummary.init)
            }
            return rows
        case .live(let addresses):
            var rows: [ArchivedEventSummary] = []
            for address in addresses {
                let session = try await ControlSession.open(address)
                rows += try await session.request(ControlCommand.trace, payload: ControlSession.json(TraceQuery(correlationID: correlationID.description)),
                                                  as: [ArchivedEventSummary].self)
                await session.close()
            }
            return rows
        }
    }

    /// The most recent archive rows of every node (to find an order's correlation id).
    func recentArchive(limit: Int) async throws -> [ArchivedEventSummary] {
        switch self {
        case .directory(let directory):
            var rows: [ArchivedEventSummary] = []
            for nodeID in try Self.nodeIDs(in: directory) {
                rows += try await Self.store(nodeID, in: directory).recentArchivedEvents(limit: limit).map(ArchivedEventSummary.init)
            }
            return rows
        case .live(let addresses):
            var rows: [ArchivedEventSummary] = []
            for address in addresses {
                let session = try await ControlSession.open(address)
                rows += try await session.request(ControlCommand.recentArchive, payload: ControlSession.json(RecentArchiveQuery(limit: limit)),
                                                  as: [ArchivedEventSummary].self)
                await session.close()
            }
            return rows
        }
    }
}
