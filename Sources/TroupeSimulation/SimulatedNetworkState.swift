import NIOCore
import Troupe
import TroupeChaos
import TroupeMesh
import TroupeWire

/// The simulated network's state, mutated only under ``SimulatedNetwork``'s lock.
///
/// It plays the part `MeshCore` plays over TCP — feeding each node's real `MeshStateMachine`
/// the facts (link opened, frame received, link closed, time passed) and performing the actions
/// it returns — with scheduled items in place of sockets. Frames travel as the bytes the real
/// `FrameCodec` writes, through the chaos layer's real `ChaosLinkHook`, and are decoded by the
/// receiver with the CRC32C check: a flipped byte is caught exactly where TCP would catch it.
/// Each connection is FIFO like TCP, with a seeded latency per frame; only a fault's delay lets
/// a frame overtake another.
///
/// Partitions are the one fault modelled differently from the chaos layer's hook, which drops
/// every frame on a partitioned link. TCP never loses bytes on a connection that stays open: it
/// retransmits them once the network heals, or the connection dies (here: the mesh's failure
/// timeout closes it) and everything unsent dies with it. Dropping instead loses the SUBSCRIBE
/// and MEMBERS frames sent right after a handshake on a link that then survives a short
/// partition, and the peer's interest stays unknown for good — a failure of the fault model,
/// not of the runtime (seed 900 of the first sweep found it). So frames reaching a partitioned
/// connection end are held, in order, and delivered when the partition ends.
struct SimulatedNetworkState {
    var queue = SimulationQueue()
    var hosts: [String: SimulatedHost] = [:]
    var addresses: [PeerAddress: String] = [:]
    var wires: [SimulatedEndpoint: SimulatedEndpoint] = [:]
    /// The node at the far end of every connection ever opened, for the trace (the mesh only
    /// knows it once the handshake is done, and forgets it when the link closes).
    var peers: [SimulatedEndpoint: String] = [:]
    var lastArrival: [SimulatedEndpoint: Int64] = [:]
    var random: Xoshiro256StarStar
    var trace: SimulationTrace
    var codec = FrameCodec()
    var dataFramesInFlight = 0
    /// Nodes that died during a store write since the simulator last looked.
    var killedDuringWrite: [String] = []
    /// The partitions of the fault plan in force.
    var partitions: [LinkFault] = []
    /// Bytes that reached a partitioned connection end, held in order until the partition ends.
    var stalled: [SimulatedEndpoint: [(bytes: ByteBuffer, isData: Bool)]] = [:]
    var counters = SimulationCounters()
    let time: VirtualTime
    let hook: ChaosLinkHook
    let meshTickNanos: Int64
    private let allocator = ByteBufferAllocator()

    init(time: VirtualTime, hook: ChaosLinkHook, seed: UInt64, keepsTrace: Bool, meshTickNanos: Int64) {
        self.time = time
        self.hook = hook
        self.random = Xoshiro256StarStar(seed: seed)
        self.trace = SimulationTrace(keepsLines: keepsTrace)
        self.meshTickNanos = meshTickNanos
    }

    var now: Int64 { time.nanoseconds }
    /// The mesh state machines' clock: virtual time on NIO's uptime line (offset by a second,
    /// so no instant is zero).
    static func deadline(_ time: VirtualTime) -> NIODeadline { .uptimeNanoseconds(UInt64(1_000_000_000 + time.nanoseconds)) }

    mutating func note(_ text: String) {
        trace.append(at: now, text)
    }

    // MARK: Lifecycle

    /// Starts (or restarts) a host with a fresh mesh state machine; returns its incarnation.
    mutating func start(_ nodeID: String, meshSeed: UInt64, configure: (inout MeshConfiguration) -> Void) -> UInt64 {
        guard let host = hosts[nodeID] else { return 0 }
        host.incarnation += 1
        let identity = NodeIdentity(nodeID: nodeID, service: host.service, incarnation: host.incarnation, listenAddress: host.address)
        let seeds = hosts.values.map(\.address).filter { $0 != host.address }.sorted { $0.description < $1.description }
        var configuration = MeshConfiguration(identity: identity, seeds: seeds, randomSeed: meshSeed)
        configure(&configuration)
        host.machine = MeshStateMachine(configuration: configuration)
        host.inbox.removeAll()
        host.busyUntil = 0
        note("\(nodeID) starts (incarnation \(host.incarnation))")
        let actions = hosts[nodeID]!.machine!.start(now: Self.deadline(time))
        perform(actions, at: nodeID)
        queue.schedule(.meshTick(node: nodeID, incarnation: host.incarnation), at: now + meshTickNanos)
        return host.incarnation
    }

    /// Kills a host: its mesh state and undelivered notifications vanish, its peers see its
    /// connections close after the bytes already on the way. Its store is not touched here.
    mutating func crash(_ nodeID: String, how: String = "crashes") {
        guard hosts[nodeID]?.isUp == true else { return }
        hosts[nodeID]!.machine = nil
        hosts[nodeID]!.inbox.removeAll()
        hosts[nodeID]!.busyUntil = 0
        note("\(nodeID) \(how)")
        let ends = wires.keys.filter { $0.node == nodeID }.sorted { $0.link < $1.link }
        for end in ends {
            guard let far = wires.removeValue(forKey: end) else { continue }
            wires.removeValue(forKey: far)
            scheduleClosure(of: far)
        }
    }

    // MARK: Facts from the network

    mutating func frameArrived(_ bytes: ByteBuffer, at end: SimulatedEndpoint, isData: Bool) {
        if isData { dataFramesInFlight -= 1 }
        guard let host = hosts[end.node], host.incarnation == end.incarnation,
              let endpoints = host.machine?.endpoints(of: end.link) else { return }
        let peer = endpoints.remoteNodeID ?? peers[end] ?? "?"
        var buffer = bytes
        let decoded: Frame?
        do {
            decoded = try codec.decode(from: &buffer)
        } catch {
            reject(at: end, peer: peer, code: error.code, reason: error.description)
            return
        }
        guard let frame = decoded else {
            reject(at: end, peer: peer, code: .checksumMismatch, reason: "frame truncated")
            return
        }
        counters.framesDelivered += 1
        note("\(end.node) <- \(peer) \(Self.summary(of: frame))")
        guard let actions = hosts[end.node]?.machine?.frameReceived(frame, on: end.link, now: Self.deadline(time)) else { return }
        perform(actions, at: end.node)
    }

    /// Whether the connection end `end` is cut off from its peer by a partition in force.
    func isPartitioned(_ end: SimulatedEndpoint) -> Bool {
        guard !partitions.isEmpty, let host = hosts[end.node], host.incarnation == end.incarnation,
              let link = host.machine?.endpoints(of: end.link), !link.remoteIsClient, let remote = link.remoteNodeID
        else { return false }
        let local = (node: end.node, service: host.service)
        let peer = (node: remote, service: link.remoteService ?? remote)
        return partitions.contains { $0.covers(sender: peer, receiver: local) || $0.covers(sender: local, receiver: peer) }
    }

    /// Bytes reach a connection end: held if the end is partitioned (or bytes before them are
    /// still held), handled otherwise.
    mutating func bytesArrived(_ bytes: ByteBuffer, at end: SimulatedEndpoint, isData: Bool) {
        if stalled[end] != nil || isPartitioned(end) {
            if stalled[end] == nil { note("\(end.node) hears nothing from its peer on link \(end.link) (partition)") }
            stalled[end, default: []].append((bytes, isData))
            return
        }
        frameArrived(bytes, at: end, isData: isData)
    }

    /// Replaces the partitions in force and lets held bytes through where they ended.
    mutating func setPartitions(_ faults: [LinkFault]) {
        partitions = faults.filter(\.partition)
        let ends = stalled.keys.filter { !isPartitioned($0) }.sorted { ($0.node, $0.incarnation, $0.link) < ($1.node, $1.incarnation, $1.link) }
        for end in ends {
            guard let held = stalled.removeValue(forKey: end) else { continue }
            counters.framesHeld += held.count
            note("\(end.node) receives \(held.count) held frame(s) on link \(end.link) (partition over)")
            for (bytes, isData) in held { frameArrived(bytes, at: end, isData: isData) }
        }
    }

    /// The receiver's decoder refused a frame: as `MeshCore` does, count it, answer with an
    /// ERROR frame and close the connection (a byte stream cannot be resynchronised).
    private mutating func reject(at end: SimulatedEndpoint, peer: String, code: WireError.Code, reason: String) {
        counters.framesRejected += 1
        hosts[end.node]!.machine!.protocolErrorDetected(checksumMismatch: code == .checksumMismatch)
        note("\(end.node) <- \(peer) rejects a frame (\(reason)); closes the link")
        let farewell = Frame.error(ErrorFrame(code: code.rawValue, message: reason))
        close(end.link, of: end.node, farewell: farewell, reason: "protocol error")
    }

    mutating func linkClosed(_ end: SimulatedEndpoint) {
        guard let host = hosts[end.node], host.incarnation == end.incarnation, host.isUp else { return }
        wires.removeValue(forKey: end)
        let peer = host.machine!.endpoints(of: end.link).remoteNodeID ?? peers[end] ?? "?"
        note("\(end.node) sees its link to \(peer) close")
        let actions = hosts[end.node]!.machine!.linkClosed(end.link, now: Self.deadline(time))
        perform(actions, at: end.node)
    }

    mutating func dialCompleted(_ nodeID: String, incarnation: UInt64, address: PeerAddress, expectedNodeID: String?) {
        guard let host = hosts[nodeID], host.incarnation == incarnation, host.isUp else { return }
        guard let target = addresses[address], let targetHost = hosts[target], targetHost.isUp else {
            note("\(nodeID) dials \(address): refused")
            perform(hosts[nodeID]!.machine!.dialFailed(address, now: Self.deadline(time)), at: nodeID)
            return
        }
        let role = LinkRole.dialer(address: address, expectedNodeID: expectedNodeID)
        let (dialerLink, dialerActions) = hosts[nodeID]!.machine!.linkOpened(role: role, now: Self.deadline(time))
        let (acceptorLink, acceptorActions) = hosts[target]!.machine!.linkOpened(role: .acceptor, now: Self.deadline(time))
        let dialerEnd = SimulatedEndpoint(node: nodeID, incarnation: host.incarnation, link: dialerLink)
        let acceptorEnd = SimulatedEndpoint(node: target, incarnation: targetHost.incarnation, link: acceptorLink)
        wires[dialerEnd] = acceptorEnd
        wires[acceptorEnd] = dialerEnd
        peers[dialerEnd] = target
        peers[acceptorEnd] = nodeID
        note("\(nodeID) connects to \(target)")
        perform(dialerActions, at: nodeID)
        perform(acceptorActions, at: target)
    }

    mutating func meshTick(_ nodeID: String, incarnation: UInt64) {
        guard let host = hosts[nodeID], host.incarnation == incarnation, host.isUp else { return }
        let actions = hosts[nodeID]!.machine!.tick(now: Self.deadline(time))
        perform(actions, at: nodeID)
        queue.schedule(.meshTick(node: nodeID, incarnation: incarnation), at: now + meshTickNanos)
    }

    // MARK: Actions

    /// Performs a mesh state machine's actions for `nodeID`, in order, as `MeshCore` does.
    mutating func perform(_ actions: [MeshAction], at nodeID: String) {
        for action in actions {
            switch action {
            case .send(let frame, let link):
                send(frame, from: nodeID, on: link)
            case .close(let link, let farewell, let reason):
                close(link, of: nodeID, farewell: farewell, reason: reason)
            case .dial(let address, let expectedNodeID):
                guard let incarnation = hosts[nodeID]?.incarnation else { continue }
                queue.schedule(.dialCompletes(node: nodeID, incarnation: incarnation, address: address, expectedNodeID: expectedNodeID),
                               at: now + 2 * latency())
            case .deliver(let inbound):
                hosts[nodeID]?.inbox.append(.inbound(inbound))
            case .memberUp(let member):
                note("\(nodeID) sees \(member.nodeID) up")
                hosts[nodeID]?.inbox.append(.memberUp(member))
            case .memberDown(let member, let reason):
                note("\(nodeID) sees \(member.nodeID) down: \(reason)")
                hosts[nodeID]?.inbox.append(.memberDown(member, reason: reason))
            case .interestChanged:
                hosts[nodeID]?.inbox.append(.interestChanged)
            }
        }
    }

    private mutating func send(_ frame: Frame, from nodeID: String, on link: LinkID) {
        guard let host = hosts[nodeID], let endpoints = host.machine?.endpoints(of: link) else { return }
        let end = SimulatedEndpoint(node: nodeID, incarnation: host.incarnation, link: link)
        guard let far = wires[end] else { return }
        var buffer = allocator.buffer(capacity: 256)
        do {
            try codec.encode(frame, into: &buffer)
        } catch {
            note("\(nodeID) cannot encode \(frame.type): \(error)")
            return
        }
        let isData = Self.isData(frame)
        // A partition holds frames at the receiving end (see the type's notes); the hook, which
        // would drop them, is not asked, so it draws no random number for them either.
        let decision = isPartitioned(end) ? .pass : hook.outbound(frame, encodedSize: buffer.readableBytes, link: endpoints)
        if decision.isPass {
            transmit(buffer, to: far, delay: 0, isData: isData)
            return
        }
        if decision.copies.isEmpty {
            counters.framesDropped += 1
            note("\(nodeID) -> \(far.node) \(Self.summary(of: frame)) lost")
            return
        }
        for (index, copy) in decision.copies.enumerated() {
            var bytes = buffer
            for offset in copy.corruptedByteOffsets where bytes.readableBytes > 0 {
                let position = bytes.readerIndex + offset % bytes.readableBytes
                bytes.setInteger(~bytes.getInteger(at: position, as: UInt8.self)!, at: position)
            }
            let delay = copy.delay.nanoseconds
            var effects: [String] = []
            if index > 0 { effects.append("duplicated") }
            if !copy.corruptedByteOffsets.isEmpty { effects.append("corrupted") }
            if delay > 0 { effects.append("delayed \(delay / 1000)µs") }
            if !effects.isEmpty {
                note("\(nodeID) -> \(far.node) \(Self.summary(of: frame)) \(effects.joined(separator: ", "))")
            }
            transmit(bytes, to: far, delay: delay, isData: isData)
        }
    }

    /// Puts bytes on the wire: they arrive after a seeded latency, in order on their connection
    /// unless a fault delayed them.
    private mutating func transmit(_ bytes: ByteBuffer, to far: SimulatedEndpoint, delay: Int64, isData: Bool) {
        var arrival = now + delay + latency()
        if delay == 0 {
            arrival = max(arrival, lastArrival[far] ?? 0)
            lastArrival[far] = arrival
        }
        if isData { dataFramesInFlight += 1 }
        counters.framesSent += 1
        queue.schedule(.frameArrives(bytes, to: far, isData: isData), at: arrival)
    }

    private mutating func close(_ link: LinkID, of nodeID: String, farewell: Frame?, reason: String) {
        guard let host = hosts[nodeID], host.isUp else { return }
        let end = SimulatedEndpoint(node: nodeID, incarnation: host.incarnation, link: link)
        if let far = wires.removeValue(forKey: end) {
            wires.removeValue(forKey: far)
            if let farewell {
                var buffer = allocator.buffer(capacity: 128)
                if (try? codec.encode(farewell, into: &buffer)) != nil {
                    transmit(buffer, to: far, delay: 0, isData: false)
                }
            }
            scheduleClosure(of: far)
        }
        let peer = host.machine!.endpoints(of: link).remoteNodeID ?? peers[end] ?? "?"
        note("\(nodeID) closes its link to \(peer): \(reason)")
        let actions = hosts[nodeID]!.machine!.linkClosed(link, now: Self.deadline(time))
        perform(actions, at: nodeID)
    }

    /// The far end learns of a closure after every byte already on the way to it.
    private mutating func scheduleClosure(of far: SimulatedEndpoint) {
        let at = max(now + latency(), lastArrival[far] ?? 0)
        lastArrival[far] = at
        queue.schedule(.linkClosed(far), at: at)
    }

    /// One-way latency of a frame: 100–500 µs, seeded.
    private mutating func latency() -> Int64 {
        100_000 + Int64(random.next() % 400_000)
    }

    static func isData(_ frame: Frame) -> Bool {
        switch frame {
        case .event, .ack, .nack: true
        default: false
        }
    }

    /// A frame as the trace shows it: kind, and for events the delivery, type, subject, id and attempt.
    static func summary(of frame: Frame) -> String {
        switch frame {
        case .event(let delivery):
            let envelope = delivery.envelope
            return "EVENT d\(delivery.deliveryID) \(envelope.type) \(envelope.subject) \(envelope.eventID) attempt \(envelope.attempt)"
        case .ack(let ack):
            return "ACK \(ack.deliveryIDs.map { "d\($0)" }.joined(separator: ","))"
        case .nack(let nack):
            return "NACK d\(nack.deliveryID)"
        default:
            return "\(frame.type)"
        }
    }
}

/// Counts kept by the simulated network.
public struct SimulationCounters: Sendable, Hashable {
    /// Frames put on a simulated wire (copies counted).
    public var framesSent = 0
    /// Frames handed to a receiver's mesh.
    public var framesDelivered = 0
    /// Frames lost to a drop fault.
    public var framesDropped = 0
    /// Frames held by a partition and delivered when it ended.
    public var framesHeld = 0
    /// Frames a receiver rejected (checksum, truncation).
    public var framesRejected = 0
}
