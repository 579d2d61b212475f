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
    func run(configuration: HostConfiguration, world: SagaConfiguration) async throws {
        switch self {
        case .order: try await Self.host(OrderService(), configuration)
        case .inventory: try await Self.host(world.inventoryService(), configuration)
        case .payment: try await Self.host(world.paymentService(), configuration)
        case .notification: try await Self.host(NotificationService(), configuration)
        }
    }

    private static func host<S: ServiceDefinition>(_ service: S, _ configuration: HostConfiguration) async throws {
        let host = NodeHost(service: service, configuration: configuration) { handle in
            let line = NodeProcess.readyLine(nodeID: configuration.nodeID, service: S.name, listen: handle.mesh.identity.listenAddress)
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: host)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: configuration.logger
        ))
        try await group.run()
    }
}
