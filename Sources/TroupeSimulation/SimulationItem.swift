import NIOCore
import TroupeMesh
import TroupeWire

/// One link end in the simulated network: a node's incarnation and the link id its mesh state
/// machine gave the connection. The incarnation keeps frames addressed to a crashed process
/// from reaching its successor, which numbers its links from 1 again.
struct SimulatedEndpoint: Hashable {
    var node: String
    var incarnation: UInt64
    var link: LinkID
}

/// What the scheduler can run. Each item runs to completion before the next is taken.
enum SimulationItem {
    /// Encoded frame bytes reach a link end.
    case frameArrives(ByteBuffer, to: SimulatedEndpoint, isData: Bool)
    /// The far end of a connection learns that it closed (after every byte written before).
    case linkClosed(SimulatedEndpoint)
    /// A dial's connection attempt completes (or is refused).
    case dialCompletes(node: String, incarnation: UInt64, address: PeerAddress, expectedNodeID: String?)
    /// A node's mesh state machine ticks (heartbeats, failure detection, redial).
    case meshTick(node: String, incarnation: UInt64)
    /// A node's runtime timers are due.
    case nodeTimers(node: String, incarnation: UInt64)
    /// A crash armed on a node's next store write: if no write came by now, the node dies now.
    case crashDeadline(node: String, start: Int)
    /// A paused or slowed node may take deliveries again.
    case wake(node: String)
    /// The fault schedule's entry at this index.
    case fault(Int)
    /// Every fault ends; crashed nodes restart.
    case heal
    /// The workload's input at this index.
    case inject(Int)
    /// Checks whether the run has settled.
    case probe
}
