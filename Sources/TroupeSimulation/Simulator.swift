import Logging
import NIOCore
import Troupe
import TroupeChaos
import TroupeMesh
import TroupeWire

/// Runs a workload's real nodes on a simulated network and a virtual clock, deterministically.
///
/// ## Why it is deterministic
/// The run is one loop in one task. It takes the next item from an agenda ordered by (virtual
/// instant, scheduling order) — a frame arriving, a connection closing, a node's timers, a
/// mesh tick, a fault, an input — and awaits it to completion before taking the next; after each
/// item it lets every node take the notifications its mesh produced, node by node in a fixed
/// order, each to completion. Nothing ever runs concurrently, so actor hops cannot reorder
/// anything. Time is ``VirtualTime``, moved only by the loop. Every random choice (latencies,
/// node and mesh seeds, link faults, handler faults, input timing) comes from a generator
/// derived from the one seed by ``SeedSplitter``. And a ``DeterminismMonitor`` bound to the run
/// records any read of the system clock or of an unseeded source the runtime makes.
///
/// ## What runs
/// The same code as over TCP: each node is a runtime `Node` hosting the workload's service, over
/// its real `MeshStateMachine` (handshake, heartbeats, membership, interest, routing), its frames
/// encoded by the real `FrameCodec` and checked by the real CRC32C. Only sockets and the clock
/// are simulated. Faults are the chaos layer's: its `Scenario` and `ScenarioTimeline` say when,
/// its `ChaosLinkHook` decides each frame's fate; a crash kills the node during its next store
/// write (or 50 ms later if it writes nothing), dropping its process state and keeping its store
/// (see ``SimulatedNodeStore``); pauses and slow handlers hold the node's deliveries for virtual
/// time while its mesh keeps running.
///
/// ## How a run ends
/// When the last fault healed (crashed nodes restart) and the last input went in, the loop
/// probes every 100 ms of virtual time; once two probes in a row find the mesh whole again,
/// nothing in flight and every outbox empty, or after the settle limit, the workload checks its
/// invariants.
public final class Simulator<Workload: SimulationWorkload> {
    /// The workload.
    public let workload: Workload
    /// The run's configuration.
    public let configuration: SimulationConfiguration
    /// The workload's nodes, built once.
    private let specs: [SimulatedNodeSpec]

    private let seeds: SeedSplitter
    private let time = VirtualTime()
    private let hook: ChaosLinkHook
    private let network: SimulatedNetwork
    private let handlerFaults: SimulatedHandlerFaults
    private let logger = Logger(label: "troupe.simulation", factory: { _ in SwiftLogNoOpLogHandler() })
    private var stores: [String: SimulatedNodeStore] = [:]
    private var clocks: [String: VirtualNodeClock] = [:]
    private var handles: [String: any SimulatedNodeHandle] = [:]
    private var reports: [String: NodeStepReport] = [:]
    private var starts: [String: Int] = [:]
    private var armedTimers: [String: Int64] = [:]
    private var steps = 0

    private static var meshTickNanos: Int64 { 50_000_000 }

    /// Prepares a run of `workload` under `configuration`.
    public init(workload: Workload, configuration: SimulationConfiguration) {
        self.workload = workload
        self.configuration = configuration
        self.seeds = SeedSplitter(seed: configuration.seed)
        self.specs = workload.nodes
        let time = self.time
        self.hook = ChaosLinkHook(plan: .empty, seed: seeds.seed(for: "links"),
                                  nowNanos: { UInt64(1_000_000_000 + time.nanoseconds) })
        self.network = SimulatedNetwork(time: time, hook: hook, seed: seeds.seed(for: "network"),
                                        keepsTrace: configuration.keepsTrace, meshTickNanos: Self.meshTickNanos)
        self.handlerFaults = SimulatedHandlerFaults(seed: seeds.seed(for: "handler-faults"))
    }

    /// Runs to the end and returns what happened. Throws if the fault schedule is invalid or a
    /// node cannot be built. A simulator is one run: call this once.
    public func run() async throws -> SimulationResult {
        precondition(steps == 0 && handles.isEmpty, "a Simulator runs once; make a new one for another run")
        let monitor = DeterminismMonitor()
        return try await withTaskExecutorPreference(network.executor) {
            try await DeterminismGuard.watching(monitor) {
                try await execute(monitor: monitor)
            }
        }
    }

    private func execute(monitor: DeterminismMonitor) async throws -> SimulationResult {
        let timeline = try configuration.faults.timeline(seed: seeds.seed(for: "timeline"))
        for (index, spec) in specs.enumerated() {
            network.addHost(spec.nodeID, service: spec.service, address: PeerAddress(host: "10.0.0.\(index + 1)", port: 7400))
            stores[spec.nodeID] = SimulatedNodeStore(base: InMemoryNodeStore(nodeID: spec.nodeID))
            clocks[spec.nodeID] = VirtualNodeClock(time: time)
        }
        network.note("seed \(configuration.seed), \(specs.count) nodes, \(workload.injectionCount) inputs, faults: \(configuration.faults.name)")
        for spec in specs { try await start(spec) }

        var random = Xoshiro256StarStar(seed: seeds.seed(for: "injections"))
        var instant: Int64 = 50_000_000
        for index in 0..<workload.injectionCount {
            instant += 1_000_000 + Int64(random.next() % UInt64(max(1, configuration.maximumInjectionGapMillis)) * 1_000_000)
            network.schedule(.inject(index), at: instant)
        }
        for (index, entry) in timeline.entries.enumerated() {
            network.schedule(.fault(index), at: Int64(entry.atMillis) * 1_000_000)
        }
        let healAt = Int64(timeline.durationMillis) * 1_000_000
        network.schedule(.heal, at: healAt)
        let settleFrom = max(healAt, instant)
        network.schedule(.probe, at: settleFrom + 100_000_000)
        let deadline = settleFrom + Int64(configuration.settleLimitMillis) * 1_000_000

        var settledProbes = 0
        var settled = false
        while let (instant, item) = network.next() {
            if instant > deadline { break }
            steps += 1
            switch item {
            case .frameArrives(let bytes, let end, let isData):
                network.withState { $0.bytesArrived(bytes, at: end, isData: isData) }
            case .linkClosed(let end):
                network.withState { $0.linkClosed(end) }
            case .dialCompletes(let node, let incarnation, let address, let expected):
                network.withState { $0.dialCompleted(node, incarnation: incarnation, address: address, expectedNodeID: expected) }
            case .meshTick(let node, let incarnation):
                network.withState { $0.meshTick(node, incarnation: incarnation) }
            case .nodeTimers(let node, _):
                armedTimers[node] = nil
                if let handle = handles[node] { record(node, await handle.runTimers()) }
            case .crashDeadline(let node, let start):
                if starts[node] == start, handles[node] != nil, stores[node]!.isArmed {
                    stores[node]!.kill()
                    crash(node)
                }
            case .wake:
                break
            case .fault(let index):
                try await apply(timeline.entries[index])
            case .heal:
                try await heal()
            case .inject(let index):
                let text: String?
                do {
                    text = try await workload.inject(index, into: SimulatedNodes(handles: handles))
                } catch where network.withState({ !$0.killedDuringWrite.isEmpty }) {
                    // The node it went through died during the write: the client sees an
                    // error and tries again, as it does when the node is down.
                    text = nil
                }
                if let text {
                    network.note("inject \(text)")
                } else {
                    network.note("inject #\(index + 1) deferred: its node is down")
                    network.schedule(.inject(index), at: instant + 100_000_000)
                }
            case .probe:
                if isQuiet() {
                    settledProbes += 1
                } else {
                    settledProbes = 0
                }
                if settledProbes >= 2 {
                    settled = true
                } else {
                    network.schedule(.probe, at: instant + 100_000_000)
                }
            }
            if settled { break }
            reapKilledNodes()
            await drain()
        }
        network.note(settled ? "settled" : "settle limit reached")
        let verdict = try await workload.check(SimulatedNodes(handles: handles))
        network.note("verdict: \(verdict.passed ? "pass" : "FAIL") \(verdict.counterexamples.joined(separator: "; "))")
        let (trace, counters) = network.withState { ($0.trace, $0.counters) }
        return SimulationResult(
            seed: configuration.seed, faults: configuration.faults, verdict: verdict,
            traceHash: trace.hash, traceLines: trace.lines, traceLineCount: trace.lineCount,
            virtualNanoseconds: time.nanoseconds, settled: settled, steps: steps, counters: counters,
            determinismViolations: monitor.violations
        )
    }

    // MARK: Nodes

    /// Starts (or restarts, on its surviving store) the node of `spec`.
    private func start(_ spec: SimulatedNodeSpec) async throws {
        let id = spec.nodeID
        let run = starts[id, default: 0] + 1
        starts[id] = run
        let incarnation = network.withState { state in
            state.start(id, meshSeed: seeds.seed(for: "mesh:\(id):\(run)")) { mesh in
                mesh.heartbeatInterval = .milliseconds(500)
                mesh.failureTimeout = .seconds(3)
            }
        }
        let address = network.withState { $0.hosts[id]!.address }
        let identity = NodeIdentity(nodeID: id, service: spec.service, incarnation: incarnation, listenAddress: address)
        var nodeConfiguration = NodeConfiguration(randomSeed: seeds.seed(for: "node:\(id):\(run)"))
        nodeConfiguration.runsEffectsInline = true
        nodeConfiguration.plantedBug = configuration.plantedBug
        let faults = handlerFaults
        let service = spec.service
        let environment = SimulatedNodeEnvironment(
            mesh: SimulatedMeshTransport(identity: identity, network: network), store: stores[id]!, clock: clocks[id]!,
            configuration: nodeConfiguration,
            handlerFaultHook: { envelope in faults.outcome(nodeID: id, service: service, envelope: envelope) },
            logger: logger
        )
        stores[id]!.revive()
        let handle = try await spec.make(environment)
        handles[id] = handle
        record(id, await handle.runTimers())
    }

    private func crash(_ nodeID: String) {
        guard handles.removeValue(forKey: nodeID) != nil else { return }
        reports[nodeID] = nil
        armedTimers[nodeID] = nil
        network.withState { $0.crash(nodeID) }
    }

    /// A `crash` fault: the node dies during its next store write (see ``SimulatedNodeStore``),
    /// or 50 ms from now if it writes nothing before then. A `crashAfterCommit` fault: it dies
    /// right after its next write that records a handled event — kept, but never acked.
    private func armCrash(_ nodeID: String, afterCommit: Bool = false) {
        guard handles[nodeID] != nil, let start = starts[nodeID] else { return }
        let network = self.network
        let onCrash: @Sendable (String) -> Void = { what in
            network.withState { state in
                state.crash(nodeID, how: afterCommit ? "crashes right after a commit, before its ack; kept: \(what)"
                                                     : "crashes during a store write; lost: \(what)")
                state.killedDuringWrite.append(nodeID)
            }
        }
        if afterCommit {
            stores[nodeID]!.armAfterCommit(onCrash)
        } else {
            stores[nodeID]!.arm(onCrash)
        }
        network.schedule(.crashDeadline(node: nodeID, start: start), at: time.nanoseconds + 50_000_000)
    }

    /// Takes down the runtime node of every process that died during a store write.
    private func reapKilledNodes() {
        for nodeID in killedNodeIDs() { crash(nodeID) }
    }

    /// Nodes whose process died during a store write since the last call.
    private func killedNodeIDs() -> [String] {
        network.withState { state in
            defer { state.killedDuringWrite.removeAll() }
            return state.killedDuringWrite
        }
    }

    /// Lets every node take what its mesh handed up, in node order, until none has anything.
    private func drain() async {
        var progressed = true
        while progressed {
            progressed = false
            for spec in specs {
                let id = spec.nodeID
                while let handle = handles[id], let notification = network.takeNotification(for: id) {
                    progressed = true
                    let before = reports[id]?.statistics ?? NodeStatistics()
                    let report = await handle.process(notification)
                    let killed = killedNodeIDs()
                    if !killed.isEmpty {
                        for nodeID in killed { crash(nodeID) }
                        if handles[id] == nil { break }
                    }
                    record(id, report)
                    if case .inbound(.event(let delivery, let peer)) = notification {
                        noteDelivery(id, delivery, from: peer, before: before, after: report.statistics)
                        network.withState { state in
                            guard let slow = state.hosts[id]?.slowHandlerNanos, slow > 0 else { return }
                            state.hosts[id]!.busyUntil = state.now + slow
                            state.queue.schedule(.wake(node: id), at: state.now + slow)
                        }
                    }
                }
            }
        }
    }

    private func noteDelivery(_ nodeID: String, _ delivery: EventDelivery, from peer: NodeIdentity, before: NodeStatistics, after: NodeStatistics) {
        let outcome = if after.handled > before.handled {
            "handled"
        } else if after.duplicatesSuppressed > before.duplicatesSuppressed {
            "duplicate suppressed"
        } else if after.handlerFailures > before.handlerFailures {
            "failed (nacked)"
        } else {
            "not handled"
        }
        let envelope = delivery.envelope
        network.note("\(nodeID) \(outcome) \(envelope.type) \(envelope.subject) \(envelope.eventID) (d\(delivery.deliveryID) from \(peer.nodeID), attempt \(envelope.attempt))")
    }

    /// Keeps a node's latest report and arms its timer item if it now has an earlier deadline.
    private func record(_ nodeID: String, _ report: NodeStepReport) {
        reports[nodeID] = report
        guard let deadline = report.nextTimerDeadline else { return }
        let nanos = max(time.nanoseconds, Int64(deadline.sinceOrigin.components.seconds) * 1_000_000_000
                        + deadline.sinceOrigin.components.attoseconds / 1_000_000_000)
        if let armed = armedTimers[nodeID], armed <= nanos { return }
        armedTimers[nodeID] = nanos
        network.schedule(.nodeTimers(node: nodeID, incarnation: 0), at: nanos)
    }

    private func isQuiet() -> Bool {
        guard handles.count == specs.count else { return false }
        // Quiet means: nothing in flight or waiting, and the mesh whole again — every node
        // connected to every other, so no interest is still to be learned.
        let networkQuiet = network.withState { state in
            let others = state.hosts.count - 1
            return state.dataFramesInFlight == 0 && state.hosts.values.allSatisfy { host in
                host.inbox.isEmpty && host.machine?.connectedMembers.count == others
            }
        }
        return networkQuiet && specs.allSatisfy { reports[$0.nodeID]?.statistics.outboxDepth == 0 }
    }

    // MARK: Faults

    private func nodes(matching name: String) -> [SimulatedNodeSpec] {
        specs.filter { $0.nodeID == name || $0.service == name || name == "*" }
    }

    private func apply(_ entry: ScenarioTimeline.Entry) async throws {
        network.note("fault: \(entry.summary)")
        switch entry.action {
        case .setPlan(let plan, let seed):
            setPlan(plan, seed: seed)
        case .crash(let name):
            for spec in nodes(matching: name) { armCrash(spec.nodeID) }
        case .crashAfterCommit(let name):
            for spec in nodes(matching: name) { armCrash(spec.nodeID, afterCommit: true) }
        case .restart(let name):
            for spec in nodes(matching: name) where handles[spec.nodeID] == nil { try await start(spec) }
        case .poison(let eventType, let count):
            guard let spec = specs.first(where: { handles[$0.nodeID] != nil }), let handle = handles[spec.nodeID] else { return }
            for index in 0..<count {
                do {
                    try await handle.publish(type: eventType, subject: "poison-\(index + 1)", body: ByteBuffer(string: #"{"poison": true}"#))
                } catch where network.withState({ !$0.killedDuringWrite.isEmpty }) {
                    network.note("poison #\(index + 1) not published: \(spec.nodeID) died during the write")
                    return
                }
            }
        }
    }

    private func setPlan(_ plan: FaultPlan, seed: UInt64) {
        hook.setPlan(plan, seed: seed)
        network.withState { $0.setPartitions(plan.links) }
        handlerFaults.setFaults(plan.nodes, seed: seed ^ 0x9E37_79B9_7F4A_7C15)
        for spec in specs {
            let faults = plan.nodes.filter { $0.covers(nodeID: spec.nodeID, service: spec.service) }
            let skew = faults.map(\.clockSkewMillis).first { $0 != 0 } ?? 0
            clocks[spec.nodeID]!.setSkew(micros: Int64(skew) * 1000)
            let slow = Int64(faults.map(\.slowHandlerMillis).max() ?? 0) * 1_000_000
            let pause = Int64(faults.map(\.pauseMillis).max() ?? 0) * 1_000_000
            network.withState { state in
                state.hosts[spec.nodeID]!.slowHandlerNanos = slow
                if pause > 0 {
                    state.hosts[spec.nodeID]!.busyUntil = max(state.hosts[spec.nodeID]!.busyUntil, state.now + pause)
                    state.queue.schedule(.wake(node: spec.nodeID), at: state.now + pause)
                }
            }
        }
    }

    private func heal() async throws {
        network.note("heal: every fault ends, crashed nodes restart")
        setPlan(.empty, seed: 0)
        for spec in specs where handles[spec.nodeID] == nil { try await start(spec) }
    }
}
