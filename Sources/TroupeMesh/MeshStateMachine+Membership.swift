public import NIOCore
import TroupeWire

extension MeshStateMachine {
    /// Gossip arrived: remember members we did not know (or their newer incarnations) and dial them.
    mutating func membersReceived(_ gossip: [NodeIdentity], now: NIODeadline) -> [MeshAction] {
        for member in gossip where member.nodeID != identity.nodeID && !member.nodeID.isEmpty && !member.isClient {
            if let known = members[member.nodeID] {
                guard member.incarnation > known.identity.incarnation, known.activeLink == nil else { continue }
                members[member.nodeID]?.identity = member
            } else {
                guard members.count < configuration.maximumMembers else {
                    statistics.membersIgnored += 1
                    continue
                }
                members[member.nodeID] = Member(identity: member, activeLink: nil, downSince: now)
            }
            let address = member.listenAddress
            if dialTargets[address] == nil {
                dialTargets[address] = DialTarget(address: address, isSeed: false, expectedNodeID: member.nodeID, state: .idle(dueAt: now))
            } else if dialTargets[address]?.connectedNodeID == nil, case .idle = dialTargets[address]?.state {
                dialTargets[address]?.state = .idle(dueAt: now)
            }
        }
        return dialDueTargets(now: now)
    }

    /// Time passed: time out handshakes, detect silent links, send heartbeats, redial, expire.
    public mutating func tick(now: NIODeadline) -> [MeshAction] {
        var actions: [MeshAction] = []
        for id in links.keys.sorted() {
            guard let link = links[id] else { continue }
            switch link.state {
            case .awaitingHello, .awaitingWelcome:
                if now - link.openedAt > configuration.handshakeTimeout {
                    actions += refuse(id, code: MeshErrorCode.handshakeTimeout, "handshake not completed within \(configuration.handshakeTimeout)")
                }
            case .established:
                if now - link.lastReceivedAt > configuration.failureTimeout {
                    statistics.heartbeatFailures += 1
                    let reason = "nothing received for \(now - link.lastReceivedAt) (failure timeout \(configuration.failureTimeout))"
                    links[id]?.closeReason = reason
                    actions.append(.close(id, farewell: nil, reason: reason))
                } else if now - link.lastPingSentAt >= configuration.heartbeatInterval {
                    links[id]?.lastPingSentAt = now
                    links[id]?.pingSequence += 1
                    let heartbeat = Heartbeat(sequence: link.pingSequence + 1, sentAtNanos: now.uptimeNanoseconds)
                    actions.append(.send(.ping(heartbeat), on: id))
                }
            }
        }
        actions += expireMembers(now: now)
        actions += dialDueTargets(now: now)
        return actions
    }

    /// Emits a dial for every idle target whose time has come.
    mutating func dialDueTargets(now: NIODeadline) -> [MeshAction] {
        var actions: [MeshAction] = []
        for address in dialTargets.keys.sorted(by: { $0.description < $1.description }) {
            guard let target = dialTargets[address], target.connectedNodeID == nil,
                  case .idle(let dueAt) = target.state, dueAt <= now
            else { continue }
            if let expected = target.expectedNodeID, members[expected]?.activeLink != nil { continue }
            dialTargets[address]?.state = .dialing
            actions.append(.dial(address, expectedNodeID: target.expectedNodeID))
        }
        return actions
    }

    /// Puts `address` back to idle with a jittered, growing delay.
    mutating func scheduleRedial(_ address: PeerAddress, now: NIODeadline, failed: Bool) {
        guard var target = dialTargets[address], target.state != .ourselves else { return }
        if failed { target.consecutiveFailures += 1 }
        let exponent = min(target.consecutiveFailures, 20)
        let ceiling = min(
            configuration.reconnectMaxDelay.nanoseconds,
            configuration.reconnectInitialDelay.nanoseconds << exponent
        )
        let floor = configuration.reconnectInitialDelay.nanoseconds / 2
        let delay = floor + Int64(random.next() % UInt64(max(1, ceiling - floor + 1)))
        target.state = .idle(dueAt: now + .nanoseconds(delay))
        dialTargets[address] = target
    }

    /// Forgets learned members that stayed unreachable past the expiry (seeds are kept).
    private mutating func expireMembers(now: NIODeadline) -> [MeshAction] {
        var actions: [MeshAction] = []
        for (nodeID, member) in members {
            guard member.activeLink == nil, let downSince = member.downSince,
                  now - downSince > configuration.memberExpiry
            else { continue }
            members.removeValue(forKey: nodeID)
            if let target = dialTargets[member.identity.listenAddress], !target.isSeed {
                dialTargets.removeValue(forKey: member.identity.listenAddress)
            }
            if remoteSubscriptions.removeValue(forKey: nodeID)?.isEmpty == false {
                actions.append(.interestChanged)
            }
        }
        return actions
    }
}
