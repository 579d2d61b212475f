import ArgumentParser
import Foundation
import TroupeChaos
import TroupeWire

/// `troupe chaos status`: the fault plan of live nodes and what it has done.
struct ChaosStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the fault plan of live nodes and its counters.")

    @Option(name: .customLong("node"), help: "A node to ask, host:port. Repeat for more.", transform: NodeAddressOption.parse)
    var nodes: [PeerAddress]

    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if nodes.isEmpty { throw ValidationError("give at least one --node host:port") }
    }

    func run() async throws {
        var statuses: [FaultStatus] = []
        for address in nodes {
            let session = try await ControlSession.open(address)
            statuses.append(try await session.request(ChaosControlCommand.status, as: FaultStatus.self))
            await session.close()
        }
        if json {
            print(String(decoding: try JSONEncoder.pretty.encode(statuses), as: UTF8.self))
            return
        }
        for status in statuses {
            let l = status.links
            let h = status.handlers
            print("\(status.nodeID): \(status.plan.links.count) link fault(s), \(status.plan.nodes.count) node fault(s); "
                + "dropped \(l.dropped) duplicated \(l.duplicated) corrupted \(l.corrupted) delayed \(l.delayed) partitioned \(l.partitioned); "
                + "handler failures \(h.failed) slowed \(h.slowed) paused \(h.pausedDeliveries); checksum failures detected \(status.checksumFailures)")
        }
    }
}
