import Foundation
import Logging
import ServiceLifecycle
import Troupe
import TroupeHost
import TroupeHTTP

/// The HTTP API and dashboard of one `troupe node` (`--http`): waits for the node to be up,
/// serves ``AdminAPI`` with the order saga's routes, and prints the ready line — with the HTTP
/// address — once it listens.
struct NodeHTTPService<S: ServiceDefinition>: Service {
    /// Yields the node's handle once it is listening.
    let handles: AsyncStream<NodeHostHandle<S>>
    let options: HTTPOptions
    let metrics: (@Sendable () -> String)?
    let logger: Logger

    func run() async throws {
        var iterator = handles.makeAsyncIterator()
        guard let handle = await iterator.next(), let address = options.http else { return }
        let ingress = OrderIngress()
        let api = AdminAPI(
            node: NodeAdministration(node: handle.node, mesh: handle.mesh),
            configuration: .init(metrics: metrics, orders: { await OrderIngress.recentOrders(mesh: $0, limit: 25) })
        ) { table, mesh in
            ingress.install(into: &table, mesh: mesh)
        }
        let identity = handle.mesh.identity
        let server = AdminServer(api: api, configuration: .init(host: address.host, port: Int(address.port), tls: options.tls), logger: logger) { host, port in
            let scheme = options.tls == nil ? "http" : "https"
            let line = NodeProcess.readyLine(nodeID: identity.nodeID, service: S.name, listen: identity.listenAddress)
                + " http=\(host):\(port) url=\(scheme)://\(host):\(port)/"
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        do {
            try await server.run()
        } catch {
            await api.mesh.close()
            throw error
        }
        await api.mesh.close()
    }
}
