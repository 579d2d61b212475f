public import Troupe

/// The notification service's state: what each customer was told, per order.
public struct NotificationLog: Codable, Sendable, Hashable {
    /// The messages sent about one order.
    public struct Entry: Codable, Sendable, Hashable {
        /// How many messages were sent (1 in a correct run).
        public var count: Int
        /// What the last message said.
        public var outcome: OrderOutcome

        /// Creates an entry.
        public init(count: Int, outcome: OrderOutcome) {
            self.count = count
            self.outcome = outcome
        }
    }

    /// Entries by order id.
    public var notifications: StateTable<Entry>

    /// Creates a log.
    public init(notifications: [String: Entry] = [:]) {
        self.notifications = StateTable(notifications)
    }

    /// Records a message about `orderID`, counting every one (so a double send is visible).
    public mutating func record(orderID: String, outcome: OrderOutcome) {
        notifications[orderID, default: Entry(count: 0, outcome: outcome)].count += 1
        notifications[orderID]!.outcome = outcome
    }
}
