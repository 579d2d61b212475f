import ArgumentParser
import Foundation
import Logging
import OrderSaga
import ServiceLifecycle
import Troupe
import TroupeHost

/// The services of the order saga that `troupe node --service` can host.
enum SagaRole: String, CaseIterable, ExpressibleByArgument {
    case order, inventory, payment, notification

    /// Runs this role's service in a ``NodeHost`` under a `ServiceGroup` that turns SIGINT and
    /// SIGTERM into a graceful shutdown; prints the ready line once listening.
    /// With `http.http` set, the node also serves the HTTP API (``NodeHTTPService``) and the
    /// ready line waits for it.
    func run(configuration: HostConfiguration, world: SagaConfiguration, http: HTTPOptions = HTTPOptions(), metrics: (@Sendable () -> String)? = nil) async throws {
        switch self {
        case .order: try await Self.host(OrderService(), configuration, http: http, metrics: metrics)
        case .inventory: try await Self.host(world.inventoryService(), configuration, http: http, metrics: metrics)
        case .payment: try await Self.host(world.paymentService(), configuration, http: http, metrics: metrics)
        case .notification: try await Self.host(NotificationService(), configuration, http: http, metrics: metrics)
        }
    }

    private static func host<S: ServiceDefinition>(_ service: S, _ configuration: HostConfiguration, http: HTTPOptions, metrics: (@Sendable () -> String)?) async throws {
        let (handles, handleSink) = AsyncStream<NodeHostHandle<S>>.makeStream()
        let servesHTTP = http.http != nil
        let host = NodeHost(service: service, configuration: configuration) { handle in
            if servesHTTP {
                handleSink.yield(handle)
                handleSink.finish()
                return
            }
            let line = NodeProcess.readyLine(nodeID: configuration.nodeID, service: S.name, listen: handle.mesh.identity.listenAddress)
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: host)]
        if servesHTTP {
            services.append(.init(service: NodeHTTPService(handles: handles, options: http, metrics: metrics, logger: configuration.logger)))
        }
        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: configuration.logger
        ))
        try await group.run()
    }
}
