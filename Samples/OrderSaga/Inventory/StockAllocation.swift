/// What inventory did for one order.
public struct StockAllocation: Codable, Sendable, Hashable {
    /// The life of an allocation: `reserved` then `sold` or `released`; or `refused` at once.
    public enum Status: String, Codable, Sendable, Hashable, CaseIterable {
        /// Held for the order; counted in neither `available` nor `sold`.
        case reserved
        /// Payment was captured; the units left the warehouse.
        case sold
        /// Payment was declined; the units went back to `available` (the compensation).
        case released
        /// There was not enough stock; nothing was ever held.
        case refused
    }

    /// The SKU.
    public var sku: String
    /// The units.
    public var quantity: Int
    /// Where the allocation stands.
    public var status: Status

    /// Creates an allocation.
    public init(sku: String, quantity: Int, status: Status) {
        self.sku = sku
        self.quantity = quantity
        self.status = status
    }
}
