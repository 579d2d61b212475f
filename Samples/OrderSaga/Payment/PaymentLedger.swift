public import Troupe

/// The payment service's state: what was captured and what was declined, per order.
///
/// Captures are *counted*, not flagged: if anything ever captured an order twice, the count
/// says so and the invariant checker reports it. A boolean would hide exactly the bug it is
/// there to reveal.
public struct PaymentLedger: Codable, Sendable, Hashable {
    /// Money taken for one order.
    public struct Capture: Codable, Sendable, Hashable {
        /// How many times the order was captured (1 in a correct run).
        public var count: Int
        /// The total captured, in cents.
        public var amountCents: Int

        /// Creates a capture record.
        public init(count: Int, amountCents: Int) {
            self.count = count
            self.amountCents = amountCents
        }
    }

    /// A refusal for one order.
    public struct Decline: Codable, Sendable, Hashable {
        /// How many times the order was declined (1 in a correct run).
        public var count: Int
        /// The amount refused, in cents.
        public var amountCents: Int
        /// Why.
        public var reason: String

        /// Creates a decline record.
        public init(count: Int, amountCents: Int, reason: String) {
            self.count = count
            self.amountCents = amountCents
            self.reason = reason
        }
    }

    /// Captures by order id.
    public var captures: StateTable<Capture>
    /// Declines by order id.
    public var declines: StateTable<Decline>

    /// Creates a ledger.
    public init(captures: [String: Capture] = [:], declines: [String: Decline] = [:]) {
        self.captures = StateTable(captures)
        self.declines = StateTable(declines)
    }

    /// Whether payment already decided this order, either way.
    public func hasDecided(_ orderID: String) -> Bool {
        captures[orderID] != nil || declines[orderID] != nil
    }

    /// Records a capture (counting it, even a second one).
    public mutating func recordCapture(orderID: String, amountCents: Int) {
        captures[orderID, default: Capture(count: 0, amountCents: 0)].count += 1
        captures[orderID]!.amountCents += amountCents
    }

    /// Records a decline (counting it, even a second one).
    public mutating func recordDecline(orderID: String, amountCents: Int, reason: String) {
        declines[orderID, default: Decline(count: 0, amountCents: amountCents, reason: reason)].count += 1
    }
}
