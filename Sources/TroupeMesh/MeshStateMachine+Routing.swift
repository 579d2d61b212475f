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
    ///
    /// Called for every event and group, so it reads links and members in place: a `Link` or
    /// `Member` copied out of its dictionary retains every string it holds (the peer's identity
    /// among them), and an identity is copied only for the member chosen.
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
            let candidate = candidates[(start + offset) % candidates.count]
            let delivery = EventDelivery(deliveryID: deliveryID, group: group, envelope: envelope)
            guard let member = candidate.member else {
                if shared { groupCursors[group] = (start + offset + 1) % candidates.count }
                return (.deliveredLocally(deliveryID: deliveryID), .deliver(.event(delivery, from: identity)))
            }
            guard let link = members.values[member].activeLink, let linkIndex = links.index(forKey: link),
                  links.values[linkIndex].isWritable
            else { continue }
            if shared { groupCursors[group] = (start + offset + 1) % candidates.count }
            return (.sent(to: members.values[member].identity, deliveryID: deliveryID), .send(.event(delivery), on: link))
        }
        statistics.backpressureRejections += 1
        return (.backpressured, nil)
    }

    /// A member that can take an event: this node (`member` nil) or a connected peer, by its
    /// position in ``members``.
    private struct Candidate {
        var nodeID: String
        var member: Dictionary<String, Member>.Index?
    }

    /// Members of `group` that can take `envelope` now, in a stable order (node id).
    private func liveMembers(of group: String, for envelope: Envelope, accepts: (Subscribe) -> Bool) -> [Candidate] {
        var candidates: [Candidate] = []
        if localSubscriptions.values.contains(where: { $0.group == group && Self.matches($0, envelope, accepts) }) {
            candidates.append(Candidate(nodeID: identity.nodeID, member: nil))
        }
        for (nodeID, table) in remoteSubscriptions {
            guard let member = members.index(forKey: nodeID), members.values[member].activeLink != nil,
                  table.values.contains(where: { $0.group == group && Self.matches($0, envelope, accepts) })
            else { continue }
            candidates.append(Candidate(nodeID: nodeID, member: member))
        }
        if candidates.count > 1 { candidates.sort { $0.nodeID < $1.nodeID } }
        return candidates
    }
}
