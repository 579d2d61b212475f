import Foundation
import Troupe
import TroupeChaos
import TroupeWire

/// Plays a compiled ``ScenarioTimeline`` against a demo cluster: plan changes go to every live
/// node over CONTROL (`faults.set`), crashes and restarts go through the supervisor, and a
/// restarted node is given the plan in force. Returns what was applied, with the real offsets.
struct DemoScenario {
    let cluster: DemoCluster
    let timeline: ScenarioTimeline

    /// Where `--scenario NAME` looks for `NAME.json`: the working directory's
    /// `Samples/Scenarios`, then the one in the source tree the binary was built from.
    static var searchDirectories: [String] {
        let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return [FileManager.default.currentDirectoryPath + "/Samples/Scenarios", sourceRoot.appendingPathComponent("Samples/Scenarios").path]
    }

    func run(started: ContinuousClock.Instant, applied: SendableBox<[String]>) async throws {
        var current = FaultPlanUpdate(plan: .empty, seed: 0)
        for entry in timeline.entries {
            try await Task.sleep(until: started + .milliseconds(entry.atMillis))
            var note = ""
            switch entry.action {
            case .setPlan(let plan, let seed):
                current = FaultPlanUpdate(plan: plan, seed: seed)
                let missed = await send(current, to: cluster.listenAddresses.keys.sorted())
                if !missed.isEmpty { note = "  (not reached: \(missed.joined(separator: ", ")))" }
            case .crash(let nodeID):
                await cluster.crash(nodeID)
            case .crashAfterCommit(let nodeID):
                if !(await arm(nodeID)) { note = "  (not reached)" }
            case .poison(let eventType, let count):
                note = await publishPoison(eventType, count: count, sequence: entry.atMillis)
            case .restart(let nodeID):
                if cluster.isRunning(nodeID) {
                    // An armed crash-after-commit that found nothing to commit: end it here.
                    await cluster.crash(nodeID)
                    note = "  (it had not crashed: no commit since it was armed; killed now)"
                }
                try await cluster.restart(nodeID)
                if !current.plan.isEmpty, !(await send(current, to: [nodeID]).isEmpty) { note = "  (plan not reapplied)" }
            }
            let offset = Double((ContinuousClock.now - started).components.attoseconds) / 1e18 + Double((ContinuousClock.now - started).components.seconds)
            applied.update { $0.append(String(format: "%6.2fs  ", offset) + entry.summary + note) }
        }
    }

    /// Publishes `count` events of `eventType` through the order node whose payload is not the
    /// event's JSON; returns a note if some could not be published.
    private func publishPoison(_ eventType: String, count: Int, sequence: Int) async -> String {
        guard let session = try? await ControlSession.open(cluster.orderAddress) else { return "  (order node unreachable)" }
        var published = 0
        for index in 1...count {
            let request = PublishRequest(type: eventType, subject: "poison-\(sequence)-\(index)", body: #"{"poison": true}"#)
            if (try? await session.request(ControlCommand.publish, payload: ControlSession.json(request), as: PublishReply.self)) != nil { published += 1 }
        }
        await session.close()
        return published == count ? "" : "  (\(count - published) not published)"
    }

    /// Arms `nodeID`'s crash-after-commit; false if the node could not be reached.
    private func arm(_ nodeID: String) async -> Bool {
        guard let address = cluster.listenAddresses[nodeID], let session = try? await ControlSession.open(address) else { return false }
        let armed = (try? await session.request(ChaosControlCommand.crashAfterCommit, as: FaultStatus.self)) != nil
        await session.close()
        return armed
    }

    /// Sends `update` to `nodeIDs`; returns the nodes that could not be reached (e.g. crashed).
    private func send(_ update: FaultPlanUpdate, to nodeIDs: [String]) async -> [String] {
        var missed: [String] = []
        for nodeID in nodeIDs {
            guard let address = cluster.listenAddresses[nodeID], let session = try? await ControlSession.open(address) else {
                missed.append(nodeID)
                continue
            }
            if (try? await session.request(ChaosControlCommand.set, payload: ControlSession.json(update), as: FaultStatus.self)) == nil {
                missed.append(nodeID)
            }
            await session.close()
        }
        return missed
    }

    /// `faults.status` of every live node.
    static func statuses(_ cluster: DemoCluster) async -> [FaultStatus] {
        var statuses: [FaultStatus] = []
        for (_, address) in cluster.listenAddresses.sorted(by: { $0.key < $1.key }) {
            guard let session = try? await ControlSession.open(address) else { continue }
            if let status = try? await session.request(ChaosControlCommand.status, as: FaultStatus.self) { statuses.append(status) }
            await session.close()
        }
        return statuses
    }
}
