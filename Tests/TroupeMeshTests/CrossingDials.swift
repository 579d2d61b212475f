import NIOCore
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
