import NIOCore
import TroupeMesh
import TroupeWire

/// Wires several ``MeshStateMachine``s together in memory: dials connect instantly, frames are
/// handed over in FIFO order, and time only moves when a test says so. No sockets, no clocks.
struct InMemoryMesh {
    struct Endpoint: Hashable {
        var node: String
        var link: LinkID
    }

    var machines: [String: MeshStateMachine] = [:]
    var addresses: [PeerAddress: String] = [:]
    var wires: [Endpoint: Endpoint] = [:]
    enum Transit {
        case frame(Frame, to: Endpoint)
        /// The connection's far end learns it closed, after every frame written before the close.
        case closed(Endpoint)
    }

    var inFlight: [Transit] = []
    var delivered: [String: [MeshInbound]] = [:]
    var membersUp: [String: [String]] = [:]
    var membersDown: [String: [String]] = [:]
    var unreachable: Set<String> = []
    var now = NIODeadline.uptimeNanoseconds(1_000_000_000)

    static func identity(_ name: String, port: UInt16, incarnation: UInt64 = 1) -> NodeIdentity {
        NodeIdentity(nodeID: name, service: String(name.prefix { $0 != "-" }), incarnation: incarnation,
                     listenAddress: PeerAddress(host: "127.0.0.1", port: port))
    }

    mutating func add(_ identity: NodeIdentity, seeds: [PeerAddress], configure: (inout MeshConfiguration) -> Void = { _ in }) {
        var configuration = MeshConfiguration(identity: identity, seeds: seeds)
        configure(&configuration)
        machines[identity.nodeID] = MeshStateMachine(configuration: configuration)
        addresses[identity.listenAddress] = identity.nodeID
        unreachable.remove(identity.nodeID)
        apply(machines[identity.nodeID]!.start(now: now), at: identity.nodeID)
    }

    /// Kills a node abruptly: its links drop on the peers' side, its address stops answering.
    mutating func crash(_ node: String) {
        for (end, other) in wires where end.node == node {
            wires.removeValue(forKey: end)
            wires.removeValue(forKey: other)
            apply(machines[other.node]!.linkClosed(other.link, now: now), at: other.node)
        }
        machines.removeValue(forKey: node)
        unreachable.insert(node)
    }

    mutating func apply(_ actions: [MeshAction], at node: String) {
        for action in actions {
            switch action {
            case .send(let frame, let link):
                if let to = wires[Endpoint(node: node, link: link)] { inFlight.append(.frame(frame, to: to)) }
            case .close(let link, let farewell, _):
                let end = Endpoint(node: node, link: link)
                guard let other = wires.removeValue(forKey: end) else { continue }
                if let farewell { inFlight.append(.frame(farewell, to: other)) }
                inFlight.append(.closed(other))
                apply(machines[node]!.linkClosed(link, now: now), at: node)
            case .dial(let address, let expected):
                guard let target = addresses[address], machines[target] != nil, !unreachable.contains(target) else {
                    apply(machines[node]!.dialFailed(address, now: now), at: node)
                    continue
                }
                let (dialerLink, dialerActions) = machines[node]!.linkOpened(role: .dialer(address: address, expectedNodeID: expected), now: now)
                let (acceptorLink, acceptorActions) = machines[target]!.linkOpened(role: .acceptor, now: now)
                wires[Endpoint(node: node, link: dialerLink)] = Endpoint(node: target, link: acceptorLink)
                wires[Endpoint(node: target, link: acceptorLink)] = Endpoint(node: node, link: dialerLink)
                apply(dialerActions, at: node)
                apply(acceptorActions, at: target)
            case .deliver(let inbound):
                delivered[node, default: []].append(inbound)
            case .memberUp(let member):
                membersUp[node, default: []].append(member.nodeID)
            case .memberDown(let member, _):
                membersDown[node, default: []].append(member.nodeID)
            case .interestChanged:
                break
            }
        }
    }

    /// Delivers frames until none are in flight.
    mutating func settle(limit: Int = 100_000) {
        var steps = 0
        while !inFlight.isEmpty, steps < limit {
            let transit = inFlight.removeFirst()
            steps += 1
            switch transit {
            case .frame(let frame, let to):
                guard machines[to.node] != nil else { continue }
                apply(machines[to.node]!.frameReceived(frame, on: to.link, now: now), at: to.node)
            case .closed(let end):
                wires.removeValue(forKey: end)
                guard machines[end.node] != nil else { continue }
                apply(machines[end.node]!.linkClosed(end.link, now: now), at: end.node)
            }
        }
    }

    /// Moves time forward in `step`s, ticking every machine and settling after each.
    mutating func advance(by total: TimeAmount, step: TimeAmount = .milliseconds(10)) {
        var elapsed = TimeAmount.zero
        while elapsed < total {
            now = now + step
            elapsed = elapsed + step
            for node in machines.keys.sorted() {
                guard machines[node] != nil else { continue }
                apply(machines[node]!.tick(now: now), at: node)
            }
            settle()
        }
    }

    func connected(_ node: String) -> Set<String> {
        Set(machines[node]?.connectedMembers.map(\.nodeID) ?? [])
    }

    var isFullMesh: Bool {
        machines.keys.allSatisfy { node in connected(node) == Set(machines.keys).subtracting([node]) }
    }
}
