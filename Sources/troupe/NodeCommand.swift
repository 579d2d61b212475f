import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TroupeMesh
import Troupe
import TroupeHost
import TroupeHTTP
import TroupeMeshNIO
import TroupeStore
import TroupeWire

/// `troupe node`: runs one node of the order saga in the foreground until SIGINT or SIGTERM.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run one node of the order saga in the foreground.",
        discussion: """
            The node listens on --listen and dials every --seed; one seed is enough to join a mesh,
            the rest is learned by gossip. With --data its outbox, idempotency records, dead
            letters, archive and state live in DIR/<id>.sqlite and survive restarts; without it
            everything is in memory. Once listening it prints one line on stdout:
              ready node=<id> service=<service> listen=<host:port>
            Stop it with Ctrl-C (SIGINT) or SIGTERM: it says goodbye to its peers and exits 0.

            The order saga in four terminals:
              troupe node --service order        --listen 127.0.0.1:7101 --data /tmp/troupe
              troupe node --service inventory    --listen 127.0.0.1:7102 --seed 127.0.0.1:7101 --data /tmp/troupe
              troupe node --service payment      --listen 127.0.0.1:7103 --seed 127.0.0.1:7101 --data /tmp/troupe
              troupe node --service notification --listen 127.0.0.1:7104 --seed 127.0.0.1:7101 --data /tmp/troupe
            """
    )

    @Option(help: "The service to host: \(SagaRole.allCases.map(\.rawValue).joined(separator: ", ")).")
    var service: SagaRole

    @Option(help: "Unique node id in the mesh (default: the service name).")
    var id: String?

    @Option(help: "Address to listen on, host:port (port 0 picks a free one).", transform: NodeAddressOption.parse)
    var listen: PeerAddress = PeerAddress(host: "127.0.0.1", port: 0)

    @Option(name: .customLong("seed"), help: "A peer to dial, host:port. Repeat for more.", transform: NodeAddressOption.parse)
    var seeds: [PeerAddress] = []

    @Option(help: "Directory for the node's SQLite database; omit to keep everything in memory.")
    var data: String?

    @Option(help: ArgumentHelp("Archive rows kept for timelines (`troupe trace`); the oldest go first (default: \(SQLiteNodeStore.defaultArchiveCapacity) with --data, \(InMemoryNodeStore.defaultArchiveCapacity) without).", valueName: "rows"))
    var archiveCapacity: Int?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @OptionGroup var http: HTTPOptions

    @Option(help: "Log format on stderr: text, or json (one JSON object per line).")
    var logFormat: LogFormat = .text

    @Option(help: ArgumentHelp("Fault injection: after N handled events commit, kill this process (SIGKILL) before acking.", valueName: "N"))
    var crashAfterHandled: Int?

    func validate() throws {
        if let id, id.isEmpty { throw ValidationError("--id must not be empty") }
        if let crashAfterHandled, crashAfterHandled < 1 { throw ValidationError("--crash-after-handled must be at least 1") }
        if let archiveCapacity, archiveCapacity < 1 { throw ValidationError("--archive-capacity must be at least 1") }
    }

    func run() async throws {
        if let tls = http.tls {
            // Refuse unusable certificate files before anything starts listening.
            do {
                _ = try AdminServer.tlsConfiguration(certificatePath: tls.certificatePath, keyPath: tls.keyPath)
            } catch let error as AdminServerError {
                throw CommandFailure(error.message)
            }
        }
        let format = logFormat
        var logger = Logger(label: "troupe") { label in
            format == .json ? JSONLogHandler.standardError(label: label) as any LogHandler : StreamLogHandler.standardError(label: label)
        }
        logger.logLevel = logLevel
        if format == .json {
            let level = logLevel
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        let metrics = http.http == nil ? nil : PrometheusExposition.bootstrap()
        let configuration = HostConfiguration(
            nodeID: id ?? service.rawValue, listenAddress: listen, seeds: seeds, dataDirectory: data,
            archiveCapacity: archiveCapacity, crashAfterHandled: crashAfterHandled, logger: logger
        )
        do {
            try await service.run(configuration: configuration, world: .standard, http: http, metrics: metrics)
        } catch let error as AdminServerError {
            throw CommandFailure(error.message)
        } catch let error as MeshNodeError {
            throw CommandFailure(error.message)
        } catch let error as StoreError {
            throw CommandFailure(error.message)
        }
    }
}
