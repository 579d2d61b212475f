import NIOCore
import TroupeWire

/// What a ``MeshStateMachine`` knows about one TCP connection.
struct Link: Sendable {
    enum State: Sendable, Equatable {
        /// Accepted; waiting for the dialer's HELLO.
        case awaitingHello
        /// Dialed; HELLO sent, waiting for WELCOME.
        case awaitingWelcome
        /// Handshake done with this peer.
        case established(NodeIdentity)
    }

    let id: LinkID
    let role: LinkRole
    let openedAt: NIODeadline
    var state: State = .awaitingHello
    var lastReceivedAt: NIODeadline
    var lastPingSentAt: NIODeadline
    var pingSequence: UInt64 = 0
    var isWritable = true
    var roundTrip: TimeAmount?
    var closeReason: String?

    init(id: LinkID, role: LinkRole, openedAt: NIODeadline) {
        self.id = id
        self.role = role
        self.openedAt = openedAt
        self.lastReceivedAt = openedAt
        self.lastPingSentAt = openedAt
    }

    /// The node id of whoever dialed this link.
    func dialerNodeID(local: String) -> String? {
        switch (role, state) {
        case (.dialer, _): local
        case (.acceptor, .established(let peer)): peer.nodeID
        case (.acceptor, _): nil
        }
    }
}

/// What a ``MeshStateMachine`` knows about one other node.
struct Member: Sendable {
    var identity: NodeIdentity
    /// The established link in use, if connected.
    var activeLink: LinkID?
    /// When the member was last seen disconnected (or learned of without a link).
    var downSince: NIODeadline?
}

/// An address this node dials, and when.
struct DialTarget: Sendable {
    enum State: Sendable, Equatable {
        case idle(dueAt: NIODeadline)
        case dialing
        /// The address turned out to be our own listener.
        case ourselves
    }

    let address: PeerAddress
    var isSeed: Bool
    var expectedNodeID: String?
    var state: State
    /// Set while a member reached through (or advertising) this address is connected.
    var connectedNodeID: String?
    var consecutiveFailures = 0
}
