import DequeModule
import TroupeMesh
import TroupeWire

/// One simulated process as the network sees it: its mesh state machine (nil while crashed)
/// and the notifications waiting for its runtime node.
///
/// A class, so that the mesh state machine inside is mutated in place: a struct held in the
/// hosts dictionary would be copied by every read and make the next mutation copy the machine's
/// tables (copy-on-write), which cost more than everything else the simulator does.
/// `@unchecked Sendable`: it is only ever reached through ``SimulatedNetworkState``, under the
/// network's lock.
final class SimulatedHost: @unchecked Sendable {
    let nodeID: String
    let service: String
    let address: PeerAddress
    /// Bumped at every (re)start; frames and timers of an older incarnation are discarded.
    var incarnation: UInt64 = 0
    var machine: MeshStateMachine?
    /// What the mesh handed up and the node has not taken yet — the bounded notification
    /// stream of a real `MeshNode`, minus the thread hop.
    var inbox: Deque<MeshNotification> = []
    /// Until this virtual instant the node takes no notification (a pause or a slow handler);
    /// its mesh keeps running meanwhile, as a real node's event loop does.
    var busyUntil: Int64 = 0
    /// Extra virtual time each handled delivery takes (a `slow` fault).
    var slowHandlerNanos: Int64 = 0

    init(nodeID: String, service: String, address: PeerAddress) {
        self.nodeID = nodeID
        self.service = service
        self.address = address
    }

    var isUp: Bool { machine != nil }

    /// The next notification, unless the node is down, busy or has none.
    func takeNotification(now: Int64) -> MeshNotification? {
        guard !inbox.isEmpty, busyUntil <= now, machine != nil else { return nil }
        return inbox.popFirst()
    }
}
