import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TroupeMesh
import TroupeMeshNIO
import TroupeWire

/// `troupe node`: runs one mesh node in the foreground until SIGINT or SIGTERM.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run one node in the foreground.",
        discussion: """
            The node listens on --listen and dials every --seed; one seed is enough to join a mesh,
            the rest is learned by gossip. Stop it with Ctrl-C (SIGINT) or SIGTERM: it says
            goodbye to its peers and exits 0.

            Example, three terminals:
              troupe node --id a --service order --listen 127.0.0.1:7101
              troupe node --id b --service inventory --listen 127.0.0.1:7102 --seed 127.0.0.1:7101
              troupe node --id c --service payment --listen 127.0.0.1:7103 --seed 127.0.0.1:7102
            """
    )

    @Option(help: "The service this node hosts (e.g. order, inventory, payment, notification).")
    var service: String

    @Option(help: "Unique node id in the mesh (default: the service name).")
    var id: String?

    @Option(help: "Address to listen on, host:port (port 0 picks a free one).", transform: NodeCommand.parseAddress)
    var listen: PeerAddress = PeerAddress(host: "127.0.0.1", port: 0)

    @Option(name: .customLong("seed"), help: "A peer to dial, host:port. Repeat for more.", transform: NodeCommand.parseAddress)
    var seeds: [PeerAddress] = []

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        if service.isEmpty { throw ValidationError("--service must not be empty") }
        if let id, id.isEmpty { throw ValidationError("--id must not be empty") }
    }

    static func parseAddress(_ text: String) throws -> PeerAddress {
        guard let address = PeerAddress(text) else {
            throw ValidationError("'\(text)' is not host:port (e.g. 127.0.0.1:7101)")
        }
        return address
    }

    func run() async throws {
        var logger = Logger(label: "troupe")
        logger.logLevel = logLevel
        let identity = NodeIdentity(
            nodeID: id ?? service, service: service,
            incarnation: UInt64(Date().timeIntervalSince1970 * 1_000_000), listenAddress: listen
        )
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let node: MeshNode
        do {
            node = try await MeshNode.start(
                configuration: MeshConfiguration(identity: identity, seeds: seeds), on: group.next(), logger: logger
            )
        } catch let error as MeshNodeError {
            try? await group.shutdownGracefully()
            throw CommandFailure(error.message)
        }
        let services = ServiceGroup(configuration: .init(
            services: [.init(service: MeshNodeService(node: node, logger: logger))],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await services.run()
        try await group.shutdownGracefully()
    }
}
