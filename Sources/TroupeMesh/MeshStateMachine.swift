public import NIOCore
public import TroupeWire

/// The whole mesh protocol of one node as a pure state machine: handshake, link liveness,
/// membership gossip, redial with backoff, interest (subscriptions) and routing.
///
/// It receives facts — a link opened or closed, a frame arrived, time passed, the layer above
/// subscribed or published — and returns ``MeshAction``s for a thin shell to perform
/// (`TroupeMeshNIO` over TCP; a simulator later). It never touches a socket, never reads a
/// clock (every input carries `now`) and draws every random choice from a seeded generator.
///
/// ## Design notes
/// - **One state machine per node, not one per link.** Membership, interest and routing all
///   need to see every link; keeping them in one value confined to one event loop avoids locks
///   and cross-link races. Per-link state lives in ``Link`` records inside it.
/// - **Full mesh.** Every node dials every member it learns of. When two nodes dial each other
///   at once, the acceptor of each HELLO decides before answering: a link already in use is
///   kept and the newcomer refused with a GOODBYE; two crossing handshakes keep the link
///   dialed by the node whose id sorts first. A link both ends use is therefore never swapped
///   for another, which the end learning of it last would see as the member going down and
///   coming back. A dial that completes after the peer connected is dropped before its HELLO.
///   A higher incarnation replaces a lower one's link (the peer restarted).
/// - **Any frame proves liveness.** PING is only sent on a link idle for a heartbeat interval;
///   a link silent for the failure timeout is closed and its member reported down.
public struct MeshStateMachine: Sendable {
    /// The configuration the node was started with.
    public let configuration: MeshConfiguration
    /// This node.
    public var identity: NodeIdentity { configuration.identity }

    var links: [LinkID: Link] = [:]
    var members: [String: Member] = [:]
    var dialTargets: [PeerAddress: DialTarget] = [:]
    var localSubscriptions: [UInt64: Subscribe] = [:]
    var remoteSubscriptions: [String: [UInt64: Subscribe]] = [:]
    var groupCursors: [String: Int] = [:]
    /// Established links of clients (``NodeIdentity/isClient``), by their node id.
    var clientLinks: [String: LinkID] = [:]
    var random: SplitMix64
    private var nextLinkID: UInt64 = 1
    var nextDeliveryID: UInt64 = 1
    /// Counters for operators and tests.
    public internal(set) var statistics = MeshStatistics()

    /// Creates the state machine; call ``start(now:)`` next.
    public init(configuration: MeshConfiguration) {
        self.configuration = configuration
        self.random = SplitMix64(seed: configuration.randomSeed)
    }

    /// Begins dialing the seeds.
    public mutating func start(now: NIODeadline) -> [MeshAction] {
        for seed in configuration.seeds where seed != identity.listenAddress {
            dialTargets[seed] = DialTarget(address: seed, isSeed: true, expectedNodeID: nil, state: .idle(dueAt: now))
        }
        return dialDueTargets(now: now)
    }

    /// Says goodbye on every link; the shell closes them and stops.
    public mutating func shutdown(reason: String = "shutting down") -> [MeshAction] {
        let farewell = Frame.goodbye(Goodbye(reason: reason))
        return links.keys.sorted().map { .close($0, farewell: farewell, reason: reason) }
    }

    // MARK: Links

    /// A TCP connection became active. Returns the id the shell must use for it from now on;
    /// the actions may close it at once (a dial that completed after the peer connected to us),
    /// and the shell reports that closure under this id like any other.
    public mutating func linkOpened(role: LinkRole, now: NIODeadline) -> (LinkID, [MeshAction]) {
        let id = LinkID(nextLinkID)
        nextLinkID += 1
        var link = Link(id: id, role: role, openedAt: now)
        var actions: [MeshAction] = []
        if case .dialer(let address, let expectedNodeID) = role {
            link.state = .awaitingWelcome
            if let peer = dialTargets[address]?.connectedNodeID ?? expectedNodeID, members[peer]?.activeLink != nil {
                // The peer connected to us while this dial was under way: the link in use stays,
                // and this one goes before its HELLO could make the peer replace it.
                let reason = "duplicate link: already connected to \(peer)"
                statistics.duplicateLinksClosed += 1
                link.closeReason = reason
                links[id] = link
                if dialTargets[address]?.state == .dialing {
                    dialTargets[address]?.connectedNodeID = peer
                    dialTargets[address]?.state = .idle(dueAt: .distantFuture)
                }
                return (id, [.close(id, farewell: nil, reason: reason)])
            }
            dialTargets[address]?.state = .dialing
            actions.append(.send(.hello(Hello(identity: identity)), on: id))
        }
        links[id] = link
        return (id, actions)
    }

    /// A dial to `address` failed before a connection was made.
    public mutating func dialFailed(_ address: PeerAddress, now: NIODeadline) -> [MeshAction] {
        statistics.dialFailures += 1
        scheduleRedial(address, now: now, failed: true)
        return []
    }

    /// The shell learned that `link` closed, for whatever reason.
    public mutating func linkClosed(_ id: LinkID, now: NIODeadline) -> [MeshAction] {
        guard let link = links.removeValue(forKey: id) else { return [] }
        var actions: [MeshAction] = []
        switch link.state {
        case .established(let peer) where peer.isClient:
            if clientLinks[peer.nodeID] == id { clientLinks.removeValue(forKey: peer.nodeID) }
        case .established(let peer):
            guard members[peer.nodeID]?.activeLink == id else { break }  // a losing duplicate
            members[peer.nodeID]?.activeLink = nil
            members[peer.nodeID]?.downSince = now
            actions.append(.memberDown(peer, reason: link.closeReason ?? "link closed"))
            for address in dialTargets.keys where dialTargets[address]?.connectedNodeID == peer.nodeID {
                dialTargets[address]?.connectedNodeID = nil
                scheduleRedial(address, now: now, failed: false)
            }
        case .awaitingHello, .awaitingWelcome:
            if case .dialer(let address, _) = link.role, dialTargets[address]?.state == .dialing {
                statistics.dialFailures += 1
                scheduleRedial(address, now: now, failed: true)
            }
        }
        return actions
    }

    /// The shell's outbound buffer for `link` crossed its high (false) or low (true) watermark.
    public mutating func linkWritabilityChanged(_ id: LinkID, isWritable: Bool) {
        links[id]?.isWritable = isWritable
    }

    /// The remote identity of an established link, if it is established.
    public func peer(on id: LinkID) -> NodeIdentity? {
        if case .established(let peer) = links[id]?.state { return peer }
        return nil
    }

    /// The hook-facing description of a link's ends.
    public func endpoints(of id: LinkID) -> LinkEndpoints {
        guard let link = links[id] else {
            return LinkEndpoints(local: identity, remoteNodeID: nil, remoteService: nil)
        }
        switch link.state {
        case .established(let peer):
            return LinkEndpoints(local: identity, remoteNodeID: peer.nodeID, remoteService: peer.service, remoteIsClient: peer.isClient)
        case .awaitingHello, .awaitingWelcome:
            var expected: String?
            if case .dialer(_, let nodeID) = link.role { expected = nodeID }
            let service = expected.flatMap { members[$0]?.identity.service }
            return LinkEndpoints(local: identity, remoteNodeID: expected, remoteService: service)
        }
    }

    /// Members currently connected, sorted by node id.
    public var connectedMembers: [NodeIdentity] {
        members.values.filter { $0.activeLink != nil }.map(\.identity).sorted { $0.nodeID < $1.nodeID }
    }

    /// Every member known, connected or not, sorted by node id.
    public var knownMembers: [NodeIdentity] {
        members.values.map(\.identity).sorted { $0.nodeID < $1.nodeID }
    }

    /// How many links are open (in any state); a vanished peer must not leave one behind.
    public var openLinkCount: Int { links.count }

    /// The established link to a node, if any.
    public func link(toNode nodeID: String) -> LinkID? { members[nodeID]?.activeLink }

    /// Sends `frame` to a connected node (for ACK, NACK, CONTROL replies); nil when not connected.
    public func send(_ frame: Frame, toNode nodeID: String) -> MeshAction? {
        (members[nodeID]?.activeLink ?? clientLinks[nodeID]).map { .send(frame, on: $0) }
    }

    // MARK: Frames

    /// A frame arrived on `link`.
    public mutating func frameReceived(_ frame: Frame, on id: LinkID, now: NIODeadline) -> [MeshAction] {
        // Through the index: one lookup, and the link is changed in place rather than copied
        // out and written back (a copy retains every reference it holds; once per frame).
        guard let index = links.index(forKey: id) else { return [] }
        statistics.framesReceived += 1
        links.values[index].lastReceivedAt = now
        switch links.values[index].state {
        case .awaitingHello:
            return helloReceived(frame, on: id, now: now)
        case .awaitingWelcome:
            return welcomeReceived(frame, on: id, now: now)
        case .established(let peer):
            return establishedFrameReceived(frame, from: peer, on: id, now: now)
        }
    }

    private mutating func establishedFrameReceived(
        _ frame: Frame, from peer: NodeIdentity, on id: LinkID, now: NIODeadline
    ) -> [MeshAction] {
        switch frame {
        case .subscribe, .unsubscribe, .members, .event:
            if peer.isClient {
                return refuse(id, code: MeshErrorCode.protocolViolation, "a client may not send \(frame.type)")
            }
            return memberFrameReceived(frame, from: peer, on: id, now: now)
        case .ping(let heartbeat):
            return [.send(.pong(heartbeat), on: id)]
        case .pong(let heartbeat):
            links[id]?.roundTrip = .nanoseconds(Int64(truncatingIfNeeded: UInt64(now.uptimeNanoseconds) &- heartbeat.sentAtNanos))
            return []
        case .ack(let ack):
            return [.deliver(.ack(ack, from: peer))]
        case .nack(let nack):
            return [.deliver(.nack(nack, from: peer))]
        case .control(let request):
            return [.deliver(.control(request, from: peer))]
        case .controlReply(let reply):
            return [.deliver(.controlReply(reply, from: peer))]
        case .goodbye(let goodbye):
            links[id]?.closeReason = "peer said goodbye: \(goodbye.reason)"
            return [.close(id, farewell: nil, reason: "peer said goodbye: \(goodbye.reason)")]
        case .error(let error):
            links[id]?.closeReason = "peer reported error \(error.code): \(error.message)"
            return [.close(id, farewell: nil, reason: "peer reported error \(error.code): \(error.message)")]
        case .hello, .welcome:
            return refuse(id, code: MeshErrorCode.protocolViolation, "\(frame.type) on an established link")
        }
    }

    private mutating func memberFrameReceived(
        _ frame: Frame, from peer: NodeIdentity, on id: LinkID, now: NIODeadline
    ) -> [MeshAction] {
        switch frame {
        case .members(let gossip):
            return membersReceived(gossip.members, now: now)
        case .subscribe(let subscribe):
            return subscribeReceived(subscribe, from: peer, on: id)
        case .unsubscribe(let unsubscribe):
            guard remoteSubscriptions[peer.nodeID]?.removeValue(forKey: unsubscribe.subscriptionID) != nil else { return [] }
            return [.interestChanged]
        case .event(let delivery):
            return [.deliver(.event(delivery, from: peer))]
        default:
            return []
        }
    }

    /// Counts a frame the socket layer rejected while decoding (bad checksum, bad magic…); the
    /// shell closes the link itself.
    public mutating func protocolErrorDetected(checksumMismatch: Bool) {
        statistics.framesRejected += 1
        if checksumMismatch { statistics.checksumFailures += 1 }
    }

    /// Closes `link` with an ERROR frame.
    mutating func refuse(_ id: LinkID, code: UInt16, _ message: String) -> [MeshAction] {
        statistics.linksRefused += 1
        links[id]?.closeReason = message
        return [.close(id, farewell: .error(ErrorFrame(code: code, message: message)), reason: message)]
    }

    /// Allocates a delivery id unique for this node's lifetime.
    mutating func allocateDeliveryID() -> UInt64 {
        defer { nextDeliveryID += 1 }
        return nextDeliveryID
    }
}
