import ArgumentParser
import Foundation
import TroupeChaos
import TroupeWire

/// `troupe chaos set`: replaces the fault plan of live nodes.
struct ChaosSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Replace the fault plan of live nodes.",
        discussion: "Build one link fault and one node fault from the flags, or give a whole plan as JSON with --plan FILE."
    )

    @Option(name: .customLong("node"), help: "A node to change, host:port. Repeat for more.", transform: NodeAddressOption.parse)
    var nodes: [PeerAddress]
    @Option(help: "A FaultPlan as a JSON file (instead of the fault flags).") var plan: String?
    @Option(help: "Seed of every random fault decision.") var seed: UInt64 = 1
    @Option(help: "Sending end of the link fault: node id, service or *.") var from = "*"
    @Option(help: "Receiving end of the link fault: node id, service or *.") var to = "*"
    @Option(help: "Probability (0-1) that a message is lost.") var drop = 0.0
    @Option(help: "Probability (0-1) that a message travels twice.") var duplicate = 0.0
    @Option(help: "Probability (0-1) that a message has a byte flipped.") var corrupt = 0.0
    @Option(help: "Probability (0-1) that an ACK is lost after the consumer committed.") var ackLoss = 0.0
    @Option(help: "Fixed delay of every message, ms.") var delayMs = 0
    @Option(help: "Extra random delay up to this, ms.") var jitterMs = 0
    @Option(help: "Reorder window, ms.") var reorderMs = 0
    @Option(help: "Bandwidth cap, bytes per second.") var bandwidth = 0
    @Flag(help: "Partition: cut the link(s) from --from to --to.") var partition = false
    @Flag(help: "Also apply the link fault in the reverse direction.") var bothWays = false
    @Option(help: "Node fault applies to this node id or service.") var target = "*"
    @Option(help: "Probability (0-1) that a handler fails.") var handlerFailure = 0.0
    @Option(help: "Every delivery waits this long before its handler, ms.") var slowMs = 0
    @Option(help: "The node takes no delivery for this long, ms.") var pauseMs = 0
    @Option(help: "The node's wall clock runs this far ahead (negative: behind), ms.") var clockSkewMs = 0

    func validate() throws {
        if nodes.isEmpty { throw ValidationError("give at least one --node host:port") }
        for (name, value) in [("--drop", drop), ("--duplicate", duplicate), ("--corrupt", corrupt), ("--ack-loss", ackLoss), ("--handler-failure", handlerFailure)]
        where !(0...1).contains(value) {
            throw ValidationError("\(name) must be between 0 and 1")
        }
        if [delayMs, jitterMs, reorderMs, bandwidth, slowMs, pauseMs].contains(where: { $0 < 0 }) {
            throw ValidationError("delays, pauses and bandwidth must not be negative")
        }
    }

    func run() async throws {
        let update = FaultPlanUpdate(plan: try makePlan(), seed: seed)
        for address in nodes {
            let session = try await ControlSession.open(address)
            let status = try await session.request(ChaosControlCommand.set, payload: ControlSession.json(update), as: FaultStatus.self)
            await session.close()
            print("\(status.nodeID): \(status.plan.links.count) link fault(s), \(status.plan.nodes.count) node fault(s)")
        }
    }

    private func makePlan() throws -> FaultPlan {
        if let plan {
            guard let data = FileManager.default.contents(atPath: plan) else { throw CommandFailure("cannot read \(plan)") }
            do {
                return try JSONDecoder().decode(FaultPlan.self, from: data)
            } catch {
                throw CommandFailure("\(plan) is not a fault plan: \(error)")
            }
        }
        var result = FaultPlan()
        let link = LinkFault(from: from, to: to, bothWays: bothWays, drop: drop, duplicate: duplicate, corrupt: corrupt, ackLoss: ackLoss,
                             delayMillis: delayMs, jitterMillis: jitterMs, reorderWindowMillis: reorderMs,
                             partition: partition, bandwidthBytesPerSecond: bandwidth)
        if link != LinkFault(from: from, to: to, bothWays: bothWays) { result.links.append(link) }
        let node = NodeFault(node: target, handlerFailure: handlerFailure, slowHandlerMillis: slowMs, pauseMillis: pauseMs, clockSkewMillis: clockSkewMs)
        if node != NodeFault(node: target) { result.nodes.append(node) }
        if result.isEmpty { throw CommandFailure("no fault given; use `troupe chaos clear` to remove faults") }
        return result
    }
}
