public import TroupeWire

extension MeshStateMachine {
    /// Sends `envelope` once to every group that wants it: one member per group (fan-out across
    /// groups, competing consumers within one), chosen round-robin among connected members whose
    /// link has room.
    ///
    /// Fire-and-forget at this layer: acknowledgement and redelivery belong to the runtime above,
    /// which calls ``route(_:deliveryID:toGroup:accepts:)`` per group instead.
    public mutating func publish(
        _ envelope: Envelope, accepts: (Subscribe) -> Bool = { _ in true }
    ) -> (routes: [GroupRoute], actions: [MeshAction]) {
        var routes: [GroupRoute] = []
        var actions: [MeshAction] = []
        for group in matchingGroups(for: envelope, accepts: accepts) {
            let (outcome, action) = route(envelope, deliveryID: allocateDeliveryID(), toGroup: group, accepts: accepts)
            routes.append(GroupRoute(group: group, outcome: outcome))
            actions += action.map { [$0] } ?? []
        }
        return (routes, actions)
    }

    /// Sends one delivery of `envelope` to one live member of `group`.
    public mutating func route(
        _ envelope: Envelope, deliveryID: UInt64, toGroup group: String,
        accepts: (Subscribe) -> Bool = { _ in true }
    ) -> (RouteOutcome, MeshAction?) {
        let candidates = liveMembers(of: group, for: envelope, accepts: accepts)
        guard !candidates.isEmpty else {
            statistics.unroutableEvents += 1
            return (.noLiveMember, nil)
        }
        // The round-robin cursor matters only when there is a choice (a lone member is every
        // event's, and reading and writing the cursor would hash the group name twice).
        let shared = candidates.count > 1
        let start = shared ? groupCursors[group, default: 0] : 0
        for offset in 0..<candidates.count {
            let candidate = candidates[(start + offset) % candidates.count].candidate
            let delivery = EventDelivery(deliveryID: deliveryID, group: group, envelope: envelope)
            switch candidate {
            case .local:
                if shared { groupCursors[group] = (start + offset + 1) % candidates.count }
                return (.deliveredLocally(deliveryID: deliveryID), .deliver(.event(delivery, from: identity)))
            case .remote(let peer, let link):
                guard links[link]?.isWritable == true else { continue }
                if shared { groupCursors[group] = (start + offset + 1) % candidates.count }
                return (.sent(to: peer, deliveryID: deliveryID), .send(.event(delivery), on: link))
            }
        }
        statistics.backpressureRejections += 1
        return (.backpressured, nil)
    }

    private enum Candidate {
        case local
        case remote(NodeIdentity, LinkID)
    }

    /// Members of `group` that can take `envelope` now, in a stable order (node id).
    private func liveMembers(
        of group: String, for envelope: Envelope, accepts: (Subscribe) -> Bool
    ) -> [(nodeID: String, candidate: Candidate)] {
        var candidates: [(nodeID: String, candidate: Candidate)] = []
        if localSubscriptions.values.contains(where: { $0.group == group && Self.matches($0, envelope, accepts) }) {
            candidates.append((identity.nodeID, .local))
        }
        for (nodeID, table) in remoteSubscriptions {
            guard let member = members[nodeID], let link = member.activeLink,
                  table.values.contains(where: { $0.group == group && Self.matches($0, envelope, accepts) })
            else { continue }
            candidates.append((nodeID, .remote(member.identity, link)))
        }
        if candidates.count > 1 { candidates.sort { $0.nodeID < $1.nodeID } }
        return candidates
    }
}
