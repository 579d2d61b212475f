import ArgumentParser
import Foundation
import Troupe
import TroupeWire

/// `troupe stats`: per-node counters from live nodes.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show the counters of live nodes.",
        discussion: "Asks each node over a CONTROL frame; repeat --node for several."
    )

    @Option(name: .customLong("node"), help: "A node to ask, host:port. Repeat for more.", transform: NodeAddressOption.parse)
    var nodes: [PeerAddress]

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        if nodes.isEmpty { throw ValidationError("give at least one --node host:port") }
    }

    func run() async throws {
        var replies: [NodeStatusReply] = []
        for address in nodes {
            let session = try await ControlSession.open(address)
            replies.append(try await session.request(ControlCommand.stats, as: NodeStatusReply.self))
            await session.close()
        }
        if json {
            print(String(decoding: try JSONEncoder.pretty.encode(replies), as: UTF8.self))
            return
        }
        print(StatsTable.render(replies))
    }
}

/// Renders node counters as a fixed-width table.
enum StatsTable {
    static func render(_ replies: [NodeStatusReply]) -> String {
        let header = ["node", "service", "published", "delivered", "handled", "dupes", "failures", "redelivered", "dead", "outbox", "dlq"]
        let rows = replies.map { reply -> [String] in
            let s = reply.statistics
            return [reply.nodeID, reply.service, "\(s.published)", "\(s.delivered)", "\(s.handled)", "\(s.duplicatesSuppressed)",
                    "\(s.handlerFailures)", "\(s.redelivered)", "\(s.deadLettered)", "\(s.outboxDepth)", "\(s.deadLetterDepth)"]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}

extension JSONEncoder {
    /// Sorted keys, pretty printed: stable output for people and diffs.
    static var pretty: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
