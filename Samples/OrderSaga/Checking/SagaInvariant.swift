/// The properties DESIGN.md §4 says must hold after any run of the saga, with or without chaos.
///
/// The raw value is the human-readable name used in ``InvariantResult/name`` and in reports.
public enum SagaInvariant: String, Codable, Sendable, Hashable, CaseIterable {
    /// Every placed order is confirmed or cancelled.
    case everyOrderTerminal = "every order terminal"
    /// No order is both confirmed and cancelled — and order, inventory, payment and
    /// notification agree on how each order ended.
    case noOrderBothConfirmedAndCancelled = "no order both confirmed and cancelled"
    /// No order is captured twice, and no cancelled order is captured at all.
    case atMostOneCapture = "at most one capture per order, none for a cancelled order"
    /// `initial = available + reserved + sold` per SKU, and nothing stays reserved once every
    /// order has ended.
    case stockConserved = "stock conserved"
    /// Every ended order was notified exactly once; no pending order was notified.
    case exactlyOneNotification = "exactly one notification per terminal order"
    /// Every published event was acknowledged by every group or dead-lettered: no outbox holds
    /// anything.
    case noEventLost = "no event lost"
    /// Not a pass/fail property: how many events each node dead-lettered.
    case deadLetters = "dead letters"

    /// Whether this line informs rather than judges (it always "passes").
    public var isInformational: Bool { self == .deadLetters }
}
