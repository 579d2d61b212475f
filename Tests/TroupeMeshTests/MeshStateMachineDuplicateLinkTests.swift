import NIOCore
import Testing
import TroupeMesh
import TroupeWire

/// Two nodes that dial each other at the same time, explored in every order the network and
/// the two event loops could produce: which connection opens first, and which queued frame (or
/// end of stream) each end reads next. Nothing is random and no time passes, so every order is
/// replayed exactly.
struct CrossingDials {
    enum Item {
        case frame(Frame)
        case endOfStream
    }

    /// One TCP connection; `ends[0]` dialed, `ends[1]` accepted.
    struct Connection {
        var nodes: [String]
        var links: [LinkID?] = [nil, nil]
        var closed = [false, false]
        /// What is on the way to each end.
        var toward: [[Item]] = [[], []]
    }

    var machines: [String: MeshStateMachine] = [:]
    var connections: [Connection] = []
    var memberDowns: [String] = []
    var memberUps: [String] = []
    var steps: [String] = []
    let now = NIODeadline.uptimeNanoseconds(1_000_000_000)

    static func identity(_ name: String, port: UInt16, incarnation: UInt64 = 1) -> NodeIdentity {
        NodeIdentity(nodeID: name, service: name, incarnation: incarnation, listenAddress: PeerAddress(host: "127.0.0.1", port: port))
    }

    /// Starts `identity` knowing `seeds`; its dials are opened by ``open(_:)``, not here.
    mutating func start(_ identity: NodeIdentity, seeds: [PeerAddress]) {
        var machine = MeshStateMachine(configuration: MeshConfiguration(identity: identity, seeds: seeds))
        _ = machine.start(now: now)
        machines[identity.nodeID] = machine
    }

    /// Prepares a connection from `dialer` to `acceptor`, opened later by a step.
    mutating func addDial(from dialer: String, to acceptor: String) {
        connections.append(Connection(nodes: [dialer, acceptor]))
    }

    /// The steps possible now: open a connection not yet open, or have one end read the next
    /// thing on its way to it.
    var choices: [(connection: Int, end: Int?)] {
        var result: [(Int, Int?)] = []
        for (index, connection) in connections.enumerated() {
            if connection.links[0] == nil, !connection.closed[0] {
                result.append((index, nil))
                continue
            }
            for end in 0..<2 where !connection.toward[end].isEmpty {
                result.append((index, end))
            }
        }
        return result
    }

    mutating func take(_ choice: (connection: Int, end: Int?)) {
        let index = choice.connection
        guard let end = choice.end else {
            open(index)
            return
        }
        let item = connections[index].toward[end].removeFirst()
        guard !connections[index].closed[end], let link = connections[index].links[end] else { return }
        let node = connections[index].nodes[end]
        switch item {
        case .frame(let frame):
            steps.append("\(node) reads \(frame.type) on connection \(index)")
            apply(machines[node]!.frameReceived(frame, on: link, now: now), at: node)
        case .endOfStream:
            steps.append("\(node) sees connection \(index) close")
            connections[index].closed[end] = true
            apply(machines[node]!.linkClosed(link, now: now), at: node)
        }
    }

    private mutating func open(_ index: Int) {
        let dialer = connections[index].nodes[0]
        let acceptor = connections[index].nodes[1]
        steps.append("connection \(index) from \(dialer) to \(acceptor) opens")
        let address = machines[acceptor]!.identity.listenAddress
        let (dialerLink, dialerActions) = machines[dialer]!.linkOpened(role: .dialer(address: address, expectedNodeID: nil), now: now)
        let (acceptorLink, acceptorActions) = machines[acceptor]!.linkOpened(role: .acceptor, now: now)
        connections[index].links = [dialerLink, acceptorLink]
        apply(dialerActions, at: dialer)
        apply(acceptorActions, at: acceptor)
    }

    private func end(of link: LinkID, at node: String) -> (Int, Int)? {
        for (index, connection) in connections.enumerated() {
            for end in 0..<2 where connection.nodes[end] == node && connection.links[end] == link { return (index, end) }
        }
        return nil
    }

    private mutating func apply(_ actions: [MeshAction], at node: String) {
        for action in actions {
            switch action {
            case .send(let frame, let link):
                guard let (index, end) = end(of: link, at: node), !connections[index].closed[end] else { continue }
                connections[index].toward[1 - end].append(.frame(frame))
            case .close(let link, let farewell, _):
                guard let (index, end) = end(of: link, at: node), !connections[index].closed[end] else { continue }
                if let farewell { connections[index].toward[1 - end].append(.frame(farewell)) }
                connections[index].toward[1 - end].append(.endOfStream)
                connections[index].closed[end] = true
                steps.append("\(node) closes connection \(index)")
                apply(machines[node]!.linkClosed(link, now: now), at: node)
            case .memberUp(let member):
                memberUps.append("\(node) sees \(member.nodeID)#\(member.incarnation) up")
            case .memberDown(let member, let reason):
                memberDowns.append("\(node) sees \(member.nodeID)#\(member.incarnation) down: \(reason)")
            case .dial, .deliver, .interestChanged:
                break
            }
        }
    }

    /// Runs every order of the remaining steps and hands each final state to `check`.
    func exploreEveryOrder(_ check: (CrossingDials) -> Void) {
        let choices = self.choices
        if choices.isEmpty {
            check(self)
            return
        }
        for choice in choices {
            var next = self
            next.take(choice)
            next.exploreEveryOrder(check)
        }
    }

    /// The connection both ends use between `a` and `b`, if they agree on one.
    func sharedConnection(_ a: String, _ b: String) -> Int? {
        guard let linkA = machines[a]?.link(toNode: b), let linkB = machines[b]?.link(toNode: a),
              let (indexA, _) = end(of: linkA, at: a), let (indexB, _) = end(of: linkB, at: b), indexA == indexB
        else { return nil }
        return indexA
    }
}

@Suite("Mesh links dialed from both ends at once (pure)")
struct MeshStateMachineDuplicateLinkTests {
    /// Two nodes dial each other; whatever the order in which connections open and frames
    /// arrive, they end on one shared link, and neither ever reports the other down: a link both
    /// ends already use is never replaced by the crossing one finishing its handshake later.
    @Test(arguments: [("a", "b"), ("b", "a")])
    func crossingDialsSettleOnOneLinkWithoutAMemberDown(first: String, second: String) {
        var pair = CrossingDials()
        let addresses = ["a": PeerAddress(host: "127.0.0.1", port: 7001), "b": PeerAddress(host: "127.0.0.1", port: 7002)]
        pair.start(CrossingDials.identity("a", port: 7001), seeds: [addresses["b"]!])
        pair.start(CrossingDials.identity("b", port: 7002), seeds: [addresses["a"]!])
        pair.addDial(from: first, to: second)
        pair.addDial(from: second, to: first)
        var orders = 0
        var failures = 0
        pair.exploreEveryOrder { end in
            orders += 1
            let settled = end.sharedConnection("a", "b") != nil
                && end.machines["a"]!.openLinkCount == 1 && end.machines["b"]!.openLinkCount == 1
            if (!settled || !end.memberDowns.isEmpty || end.memberUps.count != 2), failures < 3 {
                failures += 1
                Issue.record("""
                    settled=\(settled) ups=\(end.memberUps) downs=\(end.memberDowns)
                    \(end.steps.joined(separator: "\n"))
                    """)
            }
        }
        #expect(orders > 100)
        #expect(failures == 0)
    }

    /// The same after a restart: `b` knew `a`'s earlier incarnation, lost it, and the new
    /// incarnation and `b` dial each other on `a`'s old address.
    @Test(arguments: [("a", "b"), ("c", "b")])
    func aRestartedNodeAndAnOldPeerDialingEachOtherSettleOnOneLink(restarted: String, peer: String) {
        var pair = CrossingDials()
        let restartedIdentity = CrossingDials.identity(restarted, port: 7001)
        let peerIdentity = CrossingDials.identity(peer, port: 7002)
        pair.start(restartedIdentity, seeds: [peerIdentity.listenAddress])
        pair.start(peerIdentity, seeds: [])
        // First incarnation: one link, then the restarted node goes away without a word.
        pair.addDial(from: restarted, to: peer)
        while let choice = pair.choices.first { pair.take(choice) }
        #expect(pair.sharedConnection(restarted, peer) == 0)
        let oldLink = pair.machines[peer]!.link(toNode: restarted)!
        _ = pair.machines[peer]!.linkClosed(oldLink, now: pair.now)
        #expect(pair.machines[peer]!.connectedMembers.isEmpty)
        #expect(pair.machines[peer]!.knownMembers.map(\.incarnation) == [1])

        pair.connections = []
        pair.start(CrossingDials.identity(restarted, port: 7001, incarnation: 2), seeds: [peerIdentity.listenAddress])
        pair.memberUps = []
        pair.steps = []
        pair.addDial(from: restarted, to: peer)
        pair.addDial(from: peer, to: restarted)
        var failures = 0
        pair.exploreEveryOrder { end in
            let settled = end.sharedConnection(restarted, peer) != nil
                && end.machines[restarted]!.openLinkCount == 1 && end.machines[peer]!.openLinkCount == 1
            let incarnation = end.machines[peer]!.connectedMembers.first?.incarnation
            if (!settled || incarnation != 2 || !end.memberDowns.isEmpty), failures < 3 {
                failures += 1
                Issue.record("""
                    settled=\(settled) incarnation=\(incarnation.map { "\($0)" } ?? "-") downs=\(end.memberDowns)
                    \(end.steps.joined(separator: "\n"))
                    """)
            }
        }
        #expect(failures == 0)
    }
}
