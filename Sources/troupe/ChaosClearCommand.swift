import ArgumentParser
import TroupeChaos
import TroupeWire

/// `troupe chaos clear`: removes every fault from live nodes.
struct ChaosClearCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clear", abstract: "Remove every fault from live nodes.")

    @Option(name: .customLong("node"), help: "A node to heal, host:port. Repeat for more.", transform: NodeAddressOption.parse)
    var nodes: [PeerAddress]

    func validate() throws {
        if nodes.isEmpty { throw ValidationError("give at least one --node host:port") }
    }

    func run() async throws {
        for address in nodes {
            let session = try await ControlSession.open(address)
            let status = try await session.request(ChaosControlCommand.clear, as: FaultStatus.self)
            await session.close()
            print("\(status.nodeID): no faults")
        }
    }
}
