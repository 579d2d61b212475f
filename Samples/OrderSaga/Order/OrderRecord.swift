/// What the order service knows about one order.
public struct OrderRecord: Codable, Sendable, Hashable {
    /// Pending until a terminal fact arrives; then fixed for good.
    public var status: OrderStatus
    /// Who ordered; nil if a terminal fact overtook `OrderPlaced` and it has not arrived yet.
    public var customerID: String?
    /// Why the order was cancelled; nil otherwise.
    public var reason: String?
    /// When the order was placed: the `OrderPlaced` envelope's occurred-at time, in
    /// microseconds since the Unix epoch (the publisher's clock, not ours).
    public var placedAtMicros: Int64?
    /// When this service saw the order end (its handler clock), in microseconds since the epoch.
    public var terminalAtMicros: Int64?
    /// What the customer was told, once `CustomerNotified` arrived.
    public var customerNotified: OrderOutcome?

    /// Creates a record.
    public init(
        status: OrderStatus, customerID: String? = nil, reason: String? = nil,
        placedAtMicros: Int64? = nil, terminalAtMicros: Int64? = nil, customerNotified: OrderOutcome? = nil
    ) {
        self.status = status
        self.customerID = customerID
        self.reason = reason
        self.placedAtMicros = placedAtMicros
        self.terminalAtMicros = terminalAtMicros
        self.customerNotified = customerNotified
    }
}
