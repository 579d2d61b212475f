public import NIOCore
import Synchronization
public import TroupeMesh
public import TroupeWire

/// A ``LinkHook`` that injects the link faults of a ``FaultPlan``: drop, duplicate, delay with
/// jitter, reorder, corruption, partition and a bandwidth cap.
///
/// Every random choice comes from one seeded generator, so the same seed, plan and sequence of
/// frames give the same decisions; time comes from an injected clock (only the bandwidth cap
/// needs it). The plan can be replaced at any time (``setPlan(_:seed:)``), which also reseeds.
/// State lives behind a `Mutex`: the mesh calls the hook from its event loop, tests from anywhere.
///
/// Probabilistic faults and delays act on data frames only (EVENT, ACK, NACK), at the sending
/// node: TCP never loses or reorders bytes itself, so these model message loss between
/// services, and the mesh's own handshake and interest frames stay intact. A partition drops
/// every frame, outbound and inbound — events, acks, heartbeats (so a long one takes the link
/// down), membership — except interest (SUBSCRIBE, UNSUBSCRIBE): over a link that outlives a
/// short partition TCP would deliver those late, never lose them, and a lost one would leave
/// the peer ignorant of a group until the link is re-established (a false failure the
/// deterministic simulator found, seed 900). Links to CONTROL clients are never touched.
public final class ChaosLinkHook: LinkHook {
    /// The header before a frame's body (magic, version, type, flags, length): corruption flips a
    /// byte after it, in the body or the CRC32C trailer, so the checksum always catches it.
    static let headerLength = 10

    private struct State {
        var plan: FaultPlan
        var random: SplitMix64
        var busyUntilNanos: [String: UInt64] = [:]
        var counters = LinkFaultCounters()
    }

    private let state: Mutex<State>
    /// Whether the plan in force has no link fault, readable without the lock.
    private let hasNoLinkFault: Atomic<Bool>
    private let nowNanos: @Sendable () -> UInt64

    /// Creates a hook with `plan`, drawing every choice from `seed`; `nowNanos` is a monotonic
    /// clock in nanoseconds (only the bandwidth cap reads it).
    public init(plan: FaultPlan = .empty, seed: UInt64, nowNanos: @escaping @Sendable () -> UInt64 = { NIODeadline.now().uptimeNanoseconds }) {
        self.state = Mutex(State(plan: plan, random: SplitMix64(seed: seed)))
        self.hasNoLinkFault = Atomic(plan.links.isEmpty)
        self.nowNanos = nowNanos
    }

    /// Replaces the plan and restarts the random sequence from `seed`.
    public func setPlan(_ plan: FaultPlan, seed: UInt64) {
        state.withLock {
            $0.plan = plan
            $0.random = SplitMix64(seed: seed)
            $0.busyUntilNanos = [:]
            // Inside the lock, so concurrent replacements leave the flag matching the last plan.
            hasNoLinkFault.store(plan.links.isEmpty, ordering: .releasing)
        }
    }

    /// Whether the plan in force has no link fault: every frame then passes untouched, and the
    /// mesh does not ask about each one.
    public var isPassingEverything: Bool { hasNoLinkFault.load(ordering: .acquiring) }

    /// The plan in force.
    public var plan: FaultPlan { state.withLock { $0.plan } }

    /// What the hook has done so far.
    public var counters: LinkFaultCounters { state.withLock { $0.counters } }

    /// Decides the fate of a frame about to be written.
    public func outbound(_ frame: Frame, encodedSize: Int, link: LinkEndpoints) -> LinkHookDecision {
        guard let remote = Self.remote(of: link) else { return .pass }
        let sender = (node: link.local.nodeID, service: link.local.service)
        let now = nowNanos()
        return state.withLock { state in
            let faults = state.plan.links.filter { $0.covers(sender: sender, receiver: remote) }
            guard !faults.isEmpty else { return .pass }
            if faults.contains(where: \.partition), !Self.isInterestFrame(frame) {
                state.counters.partitioned += 1
                return .drop
            }
            guard Self.isDataFrame(frame) else { return .pass }
            return Self.decide(faults, frame: frame, encodedSize: encodedSize, remote: remote.node, now: now, state: &state)
        }
    }

    /// Decides the fate of a frame just read: only partitions act here.
    public func inbound(_ frame: Frame, link: LinkEndpoints) -> LinkHookDecision {
        guard let remote = Self.remote(of: link) else { return .pass }
        let receiver = (node: link.local.nodeID, service: link.local.service)
        return state.withLock { state in
            guard !Self.isInterestFrame(frame),
                  state.plan.links.contains(where: { $0.partition && $0.covers(sender: remote, receiver: receiver) }) else { return .pass }
            state.counters.partitioned += 1
            return .drop
        }
    }

    private static func remote(of link: LinkEndpoints) -> (node: String, service: String)? {
        guard !link.remoteIsClient, let node = link.remoteNodeID else { return nil }
        return (node, link.remoteService ?? node)
    }

    /// SUBSCRIBE and UNSUBSCRIBE: a partition delays them in reality, it does not lose them.
    static func isInterestFrame(_ frame: Frame) -> Bool {
        switch frame {
        case .subscribe, .unsubscribe: true
        default: false
        }
    }

    static func isDataFrame(_ frame: Frame) -> Bool {
        switch frame {
        case .event, .ack, .nack: true
        default: false
        }
    }

    /// One data frame under `faults` (all covering its link): each fault draws in turn.
    private static func decide(_ faults: [LinkFault], frame: Frame, encodedSize: Int, remote: String, now: UInt64, state: inout State) -> LinkHookDecision {
        var copies = 1
        var delayNanos: UInt64 = 0
        var corrupted: [Int] = []
        var bandwidth = 0
        for fault in faults {
            if fault.drop > 0, state.random.chance(fault.drop) { copies = 0 }
            if fault.ackLoss > 0, case .ack = frame, state.random.chance(fault.ackLoss) { copies = 0 }
            if fault.duplicate > 0, state.random.chance(fault.duplicate), copies > 0 { copies += 1 }
            if fault.corrupt > 0, state.random.chance(fault.corrupt), encodedSize > headerLength {
                corrupted.append(headerLength + Int(state.random.next() % UInt64(encodedSize - headerLength)))
            }
            delayNanos += UInt64(max(0, fault.delayMillis)) * 1_000_000
            if fault.jitterMillis > 0 { delayNanos += state.random.next() % (UInt64(fault.jitterMillis) * 1_000_000 + 1) }
            if fault.reorderWindowMillis > 0 { delayNanos += state.random.next() % (UInt64(fault.reorderWindowMillis) * 1_000_000 + 1) }
            if fault.bandwidthBytesPerSecond > 0 { bandwidth = bandwidth == 0 ? fault.bandwidthBytesPerSecond : min(bandwidth, fault.bandwidthBytesPerSecond) }
        }
        if copies == 0 {
            state.counters.dropped += 1
            return .drop
        }
        if bandwidth > 0 {
            let transmission = UInt64(encodedSize) * 1_000_000_000 / UInt64(bandwidth)
            let start = max(now, state.busyUntilNanos[remote] ?? 0)
            state.busyUntilNanos[remote] = start + transmission * UInt64(copies)
            delayNanos += start + transmission - now
            state.counters.throttled += 1
        }
        if copies > 1 { state.counters.duplicated += 1 }
        if !corrupted.isEmpty { state.counters.corrupted += 1 }
        if delayNanos > 0 { state.counters.delayed += 1 }
        let first = LinkHookDecision.Copy(delay: .nanoseconds(Int64(delayNanos)), corruptedByteOffsets: corrupted)
        let again = LinkHookDecision.Copy(delay: .nanoseconds(Int64(delayNanos)))
        return LinkHookDecision(copies: [first] + Array(repeating: again, count: copies - 1))
    }
}

extension SplitMix64 {
    /// True with probability `p` (0…1), from 53 random bits.
    mutating func chance(_ p: Double) -> Bool {
        Double(next() >> 11) / Double(1 << 53) < p
    }
}
