public import Troupe

/// The inventory service's state. Every unit is always in exactly one place — available,
/// reserved for an order, or sold — so `initial = available + reserved + sold` per SKU.
public struct StockLedger: Codable, Sendable, Hashable {
    /// Units free to reserve, by SKU.
    public var available: [String: Int]
    /// What was done for each order, by order id (the reserved units are those with status
    /// ``StockAllocation/Status-swift.enum/reserved``).
    public var allocations: StateTable<StockAllocation>
    /// Units sold, by SKU.
    public var sold: [String: Int]

    /// Creates a ledger.
    public init(available: [String: Int], allocations: [String: StockAllocation] = [:], sold: [String: Int] = [:]) {
        self.available = available
        self.allocations = StateTable(allocations)
        self.sold = sold
    }

    /// Units currently reserved, by SKU.
    public var reserved: [String: Int] {
        allocations.values.filter { $0.status == .reserved }.reduce(into: [:]) { $0[$1.sku, default: 0] += $1.quantity }
    }

    /// Tries to reserve `quantity` units of `sku` for an order; returns the allocation's status
    /// (`reserved` or `refused`), or nil if this order was already decided — the same order
    /// arriving again, e.g. re-placed at the ingress as a new event, must not reserve twice.
    public mutating func reserve(orderID: String, sku: String, quantity: Int) -> StockAllocation.Status? {
        guard allocations[orderID] == nil else { return nil }
        let free = available[sku, default: 0]
        guard quantity >= 1, quantity <= free else {
            allocations[orderID] = StockAllocation(sku: sku, quantity: quantity, status: .refused)
            return .refused
        }
        available[sku] = free - quantity
        allocations[orderID] = StockAllocation(sku: sku, quantity: quantity, status: .reserved)
        return .reserved
    }

    /// Turns the order's reservation into a sale; false if it holds no reservation.
    public mutating func sell(orderID: String) -> Bool {
        guard let allocation = allocations[orderID], allocation.status == .reserved else { return false }
        allocations[orderID]?.status = .sold
        sold[allocation.sku, default: 0] += allocation.quantity
        return true
    }

    /// Gives the order's reservation back to `available`; returns what was released, or nil if
    /// it holds no reservation (never reserved, or already released or sold).
    public mutating func release(orderID: String) -> StockAllocation? {
        guard let allocation = allocations[orderID], allocation.status == .reserved else { return nil }
        allocations[orderID]?.status = .released
        available[allocation.sku, default: 0] += allocation.quantity
        return allocation
    }
}
