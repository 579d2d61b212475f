import Logging
import NIOCore
import ServiceLifecycle
import TroupeMesh
import TroupeMeshNIO

/// Runs a ``MeshNode`` as a swift-service-lifecycle `Service`: started by `run()`, shut down
/// (goodbye to every peer, links and listener closed) on graceful shutdown.
struct MeshNodeService: Service {
    let node: MeshNode
    let logger: Logger

    func run() async throws {
        let notifications = node.notifications
        let drain = Task {
            for await notification in notifications {
                switch notification {
                case .memberUp(let member): logger.info("member up", metadata: ["member": "\(member)"])
                case .memberDown(let member, let reason): logger.info("member down", metadata: ["member": "\(member.nodeID)", "reason": "\(reason)"])
                default: break
                }
            }
        }
        try? await gracefulShutdown()
        logger.info("shutting down")
        await node.shutdown()
        await drain.value
    }
}
