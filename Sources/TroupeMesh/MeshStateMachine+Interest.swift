public import TroupeWire

extension MeshStateMachine {
    /// This node hosts a member of `subscription.group`: remember it and tell every peer.
    public mutating func subscribe(_ subscription: Subscribe) -> [MeshAction] {
        localSubscriptions[subscription.subscriptionID] = subscription
        return [.interestChanged] + establishedLinkIDs.map { .send(.subscribe(subscription), on: $0) }
    }

    /// Withdraws a local subscription everywhere.
    public mutating func unsubscribe(_ subscriptionID: UInt64) -> [MeshAction] {
        guard localSubscriptions.removeValue(forKey: subscriptionID) != nil else { return [] }
        let frame = Frame.unsubscribe(Unsubscribe(subscriptionID: subscriptionID))
        return [.interestChanged] + establishedLinkIDs.map { .send(frame, on: $0) }
    }

    mutating func subscribeReceived(_ subscription: Subscribe, from peer: NodeIdentity, on id: LinkID) -> [MeshAction] {
        guard !subscription.group.isEmpty, EventTypePattern(subscription.pattern) != nil else {
            return refuse(id, code: MeshErrorCode.invalidSubscription, "SUBSCRIBE needs a group and a pattern")
        }
        var table = remoteSubscriptions[peer.nodeID, default: [:]]
        if table[subscription.subscriptionID] == nil, table.count >= configuration.maximumSubscriptionsPerNode {
            return refuse(id, code: MeshErrorCode.tooManySubscriptions,
                          "more than \(configuration.maximumSubscriptionsPerNode) subscriptions")
        }
        guard table[subscription.subscriptionID] != subscription else { return [] }
        table[subscription.subscriptionID] = subscription
        remoteSubscriptions[peer.nodeID] = table
        return [.interestChanged]
    }

    /// Every subscription known, local ones under this node's id, sorted for stable output.
    public var subscriptions: [LearnedSubscription] {
        var all = localSubscriptions.values.map { LearnedSubscription(nodeID: identity.nodeID, subscription: $0) }
        for (nodeID, table) in remoteSubscriptions {
            all += table.values.map { LearnedSubscription(nodeID: nodeID, subscription: $0) }
        }
        return all.sorted { ($0.nodeID, $0.subscription.subscriptionID) < ($1.nodeID, $1.subscription.subscriptionID) }
    }

    /// The groups with at least one subscription (connected or not) matching `envelope`.
    ///
    /// `accepts` applies what the mesh does not understand itself, such as content filters.
    public func matchingGroups(for envelope: Envelope, accepts: (Subscribe) -> Bool = { _ in true }) -> [String] {
        var groups = Set<String>()
        for subscription in subscriptions.map(\.subscription) where !groups.contains(subscription.group) {
            if Self.matches(subscription, envelope, accepts) { groups.insert(subscription.group) }
        }
        return groups.sorted()
    }

    var establishedLinkIDs: [LinkID] {
        links.values.compactMap { link in
            if case .established = link.state { return link.id }
            return nil
        }.sorted()
    }

    static func matches(_ subscription: Subscribe, _ envelope: Envelope, _ accepts: (Subscribe) -> Bool) -> Bool {
        guard let pattern = EventTypePattern(subscription.pattern), pattern.matches(envelope.type) else { return false }
        return accepts(subscription)
    }
}
