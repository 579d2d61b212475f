/// MEMBERS: gossip of every node the sender knows to be alive (itself included).
public struct Members: Hashable, Sendable {
    /// The known members.
    public var members: [NodeIdentity]

    /// Creates a MEMBERS frame.
    public init(members: [NodeIdentity]) {
        self.members = members
    }
}
