public import Foundation
public import Troupe

// Every saga state grows with the number of orders, so each is stored record by record
// (`KeyedState`): handling one event writes the one or two records it touched, not the whole
// ledger. Small aggregates (stock per SKU) travel as a single "totals" record.

extension OrderBook: KeyedState {
    /// The changed order records.
    public mutating func takeChangedRecords() throws -> [String: Data?] {
        try orders.takeChanges(prefix: "order/")
    }

    /// Rebuilds the book from its order records.
    public init(records: [String: Data]) throws {
        self.init()
        try orders.load(prefix: "order/", from: records)
    }
}

extension StockLedger: KeyedState {
    private struct Totals: Codable {
        var available: [String: Int]
        var sold: [String: Int]
    }

    /// The changed allocations, and the per-SKU totals (small, written every time).
    public mutating func takeChangedRecords() throws -> [String: Data?] {
        var records = try allocations.takeChanges(prefix: "allocation/")
        records["totals"] = try JSONEncoder().encode(Totals(available: available, sold: sold))
        return records
    }

    /// Rebuilds the ledger from its totals and allocation records.
    public init(records: [String: Data]) throws {
        let totals = try records["totals"].map { try JSONDecoder().decode(Totals.self, from: $0) } ?? Totals(available: [:], sold: [:])
        self.init(available: totals.available, sold: totals.sold)
        try allocations.load(prefix: "allocation/", from: records)
    }
}

extension PaymentLedger: KeyedState {
    /// The changed captures and declines.
    public mutating func takeChangedRecords() throws -> [String: Data?] {
        try captures.takeChanges(prefix: "capture/").merging(try declines.takeChanges(prefix: "decline/")) { $1 }
    }

    /// Rebuilds the ledger from its capture and decline records.
    public init(records: [String: Data]) throws {
        self.init()
        try captures.load(prefix: "capture/", from: records)
        try declines.load(prefix: "decline/", from: records)
    }
}

extension NotificationLog: KeyedState {
    /// The changed notification entries.
    public mutating func takeChangedRecords() throws -> [String: Data?] {
        try notifications.takeChanges(prefix: "notification/")
    }

    /// Rebuilds the log from its entries.
    public init(records: [String: Data]) throws {
        self.init()
        try notifications.load(prefix: "notification/", from: records)
    }
}
