import NIOCore
import TroupeWire

extension MeshStateMachine {
    mutating func helloReceived(_ frame: Frame, on id: LinkID, now: NIODeadline) -> [MeshAction] {
        guard case .hello(let hello) = frame else {
            return refuse(id, code: MeshErrorCode.protocolViolation, "expected HELLO, got \(frame.type)")
        }
        if let refusal = refusal(of: hello.protocolVersion, hello.identity) {
            return refuse(id, code: MeshErrorCode.handshakeRefused, refusal)
        }
        if hello.identity.nodeID == identity.nodeID {
            // Answer first, so the dialing side (ourselves) learns the address is its own.
            links[id]?.closeReason = "connected to itself"
            return [
                .send(.welcome(Welcome(identity: identity)), on: id),
                .close(id, farewell: .goodbye(Goodbye(reason: "connected to itself")), reason: "connected to itself"),
            ]
        }
        if let duplicate = duplicateRefusal(of: hello.identity, on: id) {
            // Refused before any WELCOME: the dialer never counts this link as established, so
            // losing it is not a loss of the member on its side.
            return duplicate
        }
        var actions: [MeshAction] = [.send(.welcome(Welcome(identity: identity)), on: id)]
        actions += linkEstablished(id, peer: hello.identity, now: now)
        return actions
    }

    /// Decides, when `peer`'s HELLO arrives on the accepted link `id`, whether the link would
    /// duplicate one the two nodes already share or are about to share; if so, the actions
    /// that refuse it.
    ///
    /// The acceptor decides, before it answers, so that both ends agree without a link ever
    /// being replaced once both of them use it:
    /// - a link already in use with this incarnation of the peer is kept, and the new one
    ///   refused;
    /// - when this node is itself dialing the peer, the link dialed by the node whose id sorts
    ///   first wins. The peer applies the same rule to this node's HELLO, so exactly one of
    ///   the two crossing links is accepted.
    private mutating func duplicateRefusal(of peer: NodeIdentity, on id: LinkID) -> [MeshAction]? {
        guard !peer.isClient else { return nil }
        if let existing = members[peer.nodeID] {
            // An older incarnation is refused once established, with an ERROR.
            if peer.incarnation < existing.identity.incarnation { return nil }
            if peer.incarnation == existing.identity.incarnation, existing.activeLink != nil {
                return refuseDuplicate(id, reason: "duplicate link")
            }
        }
        guard identity.nodeID < peer.nodeID, !pendingDials(to: peer).isEmpty else { return nil }
        return refuseDuplicate(id, reason: "duplicate link: \(identity.nodeID) is dialing \(peer.nodeID)")
    }

    private mutating func refuseDuplicate(_ id: LinkID, reason: String) -> [MeshAction] {
        statistics.duplicateLinksClosed += 1
        links[id]?.closeReason = reason
        return [.close(id, farewell: .goodbye(Goodbye(reason: reason)), reason: reason)]
    }

    /// This node's links to `peer` that are still waiting for its WELCOME (and not closing).
    func pendingDials(to peer: NodeIdentity) -> [LinkID] {
        links.values.filter { link in
            guard link.state == .awaitingWelcome, link.closeReason == nil,
                  case .dialer(let address, let expected) = link.role
            else { return false }
            return expected == peer.nodeID || address == peer.listenAddress
        }.map(\.id).sorted()
    }

    mutating func welcomeReceived(_ frame: Frame, on id: LinkID, now: NIODeadline) -> [MeshAction] {
        guard case .welcome(let welcome) = frame else {
            if case .goodbye(let goodbye) = frame {
                links[id]?.closeReason = "peer said goodbye: \(goodbye.reason)"
                return [.close(id, farewell: nil, reason: "peer said goodbye: \(goodbye.reason)")]
            }
            if case .error(let error) = frame {
                links[id]?.closeReason = "handshake refused: \(error.message)"
                return [.close(id, farewell: nil, reason: "handshake refused: \(error.message)")]
            }
            return refuse(id, code: MeshErrorCode.protocolViolation, "expected WELCOME, got \(frame.type)")
        }
        if let refusal = refusal(of: welcome.protocolVersion, welcome.identity) {
            return refuse(id, code: MeshErrorCode.handshakeRefused, refusal)
        }
        if welcome.identity.nodeID == identity.nodeID {
            if case .dialer(let address, _) = links[id]?.role { dialTargets[address]?.state = .ourselves }
            links[id]?.closeReason = "dialed itself"
            return [.close(id, farewell: .goodbye(Goodbye(reason: "connected to itself")), reason: "dialed itself")]
        }
        return linkEstablished(id, peer: welcome.identity, now: now)
    }

    private func refusal(of version: ProtocolVersion, _ peer: NodeIdentity) -> String? {
        if version.major != ProtocolVersion.current.major {
            return "protocol \(version) is not compatible with \(ProtocolVersion.current)"
        }
        if peer.nodeID.isEmpty || peer.service.isEmpty {
            return "node id and service must not be empty"
        }
        return nil
    }

    /// The handshake completed on `id` with `peer`: settle duplicates, record the member, tell
    /// the peer what we know (members and our subscriptions) and gossip the newcomer.
    private mutating func linkEstablished(_ id: LinkID, peer: NodeIdentity, now: NIODeadline) -> [MeshAction] {
        statistics.linksEstablished += 1
        links[id]?.state = .established(peer)
        if peer.isClient {
            // A tool (the CLI) rather than a member: it may send CONTROL requests on this link,
            // but it is never gossiped, dialed or routed to.
            clientLinks[peer.nodeID] = id
            return []
        }
        var actions: [MeshAction] = []
        var isNewIncarnation = true
        if let existing = members[peer.nodeID] {
            if peer.incarnation < existing.identity.incarnation {
                return refuse(id, code: MeshErrorCode.handshakeRefused,
                              "incarnation \(peer.incarnation) of \(peer.nodeID) is older than \(existing.identity.incarnation)")
            }
            isNewIncarnation = peer.incarnation > existing.identity.incarnation
            if let current = existing.activeLink, current != id {
                // An accepted link gets here only as a new incarnation (see `duplicateRefusal`);
                // a dialed one when both ends accepted each other's link before seeing their own.
                if isNewIncarnation || prefers(id, over: current) {
                    statistics.duplicateLinksClosed += 1
                    links[current]?.closeReason = isNewIncarnation ? "superseded by a newer incarnation" : "duplicate link"
                    let reason = isNewIncarnation ? "superseded by a newer incarnation" : "duplicate link"
                    actions.append(.close(current, farewell: .goodbye(Goodbye(reason: reason)), reason: reason))
                    if isNewIncarnation { actions.append(.memberDown(existing.identity, reason: "restarted")) }
                } else {
                    statistics.duplicateLinksClosed += 1
                    links[id]?.closeReason = "duplicate link"
                    return [.close(id, farewell: .goodbye(Goodbye(reason: "duplicate link")), reason: "duplicate link")]
                }
            }
        }
        let wasConnected = members[peer.nodeID]?.activeLink != nil && !isNewIncarnation
        members[peer.nodeID] = Member(identity: peer, activeLink: id, downSince: nil)
        if isNewIncarnation, remoteSubscriptions.removeValue(forKey: peer.nodeID)?.isEmpty == false {
            actions.append(.interestChanged)
        }
        markConnected(peer, via: links[id]?.role)
        if !wasConnected { actions.append(.memberUp(peer)) }
        // Our own dials to the peer still in handshake would be refused by it (it applies the
        // same rule as `duplicateRefusal`): let them go now.
        for pending in pendingDials(to: peer) where pending != id {
            statistics.duplicateLinksClosed += 1
            links[pending]?.closeReason = "duplicate link: \(peer.nodeID) connected first"
            markConnected(peer, via: links[pending]?.role)
            actions.append(.close(pending, farewell: nil, reason: "duplicate link: \(peer.nodeID) connected first"))
        }

        let known = connectedMembers.filter { $0.nodeID != peer.nodeID } + [identity]
        actions.append(.send(.members(Members(members: known)), on: id))
        for subscription in localSubscriptions.keys.sorted() {
            actions.append(.send(.subscribe(localSubscriptions[subscription]!), on: id))
        }
        for other in links.values.sorted(by: { $0.id < $1.id }) where other.id != id {
            if case .established = other.state {
                actions.append(.send(.members(Members(members: [peer])), on: other.id))
            }
        }
        return actions
    }

    /// Between two links to the same peer, both ends keep the one dialed by the node whose id
    /// sorts first, so they agree without talking about it. Used when a WELCOME arrives while
    /// another link to the peer is in use, which the acceptor-side refusals leave only for a
    /// dial whose address was not yet known to lead to that peer.
    private func prefers(_ candidate: LinkID, over current: LinkID) -> Bool {
        guard let a = links[candidate], let b = links[current] else { return true }
        let dialerA = a.dialerNodeID(local: identity.nodeID)
        let dialerB = b.dialerNodeID(local: identity.nodeID)
        if dialerA == dialerB { return candidate > current }  // same dialer twice: the newer one
        return (dialerA ?? "") < (dialerB ?? "")
    }

    private mutating func markConnected(_ peer: NodeIdentity, via role: LinkRole?) {
        var addresses = [peer.listenAddress]
        if case .dialer(let address, _) = role { addresses.append(address) }
        for address in addresses {
            if dialTargets[address] == nil {
                dialTargets[address] = DialTarget(address: address, isSeed: false, expectedNodeID: peer.nodeID, state: .idle(dueAt: .distantFuture))
            }
            dialTargets[address]?.connectedNodeID = peer.nodeID
            dialTargets[address]?.expectedNodeID = peer.nodeID
            dialTargets[address]?.consecutiveFailures = 0
            if dialTargets[address]?.state != .ourselves { dialTargets[address]?.state = .idle(dueAt: .distantFuture) }
        }
    }
}
