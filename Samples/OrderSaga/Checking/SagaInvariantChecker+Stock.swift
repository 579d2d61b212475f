extension SagaInvariantChecker {
    /// SKUs whose units do not add up, and reservations left behind after every order ended.
    static func stockViolations(in snapshot: SagaSnapshot) -> [String] {
        let ledger = snapshot.inventory
        let reserved = ledger.reserved
        let soldByOrders = ledger.allocations.values.filter { $0.status == .sold }
            .reduce(into: [String: Int]()) { $0[$1.sku, default: 0] += $1.quantity }
        var skus = Set(snapshot.initialStock.keys).union(ledger.available.keys).union(ledger.sold.keys)
        skus.formUnion(ledger.allocations.values.map(\.sku))

        var found: [String] = []
        for sku in skus.sorted() {
            let initial = snapshot.initialStock[sku, default: 0]
            let available = ledger.available[sku, default: 0]
            let held = reserved[sku, default: 0]
            let sold = ledger.sold[sku, default: 0]
            if initial != available + held + sold {
                found.append("\(sku): initial \(initial) ≠ available \(available) + reserved \(held) + sold \(sold)")
            }
            if available < 0 { found.append("\(sku): available \(available) is negative") }
            if sold != soldByOrders[sku, default: 0] {
                found.append("\(sku): sold \(sold) but sold orders account for \(soldByOrders[sku, default: 0])")
            }
        }
        // Once every order has ended, nothing may stay reserved: a held unit is stock that is
        // neither for sale nor sold — a compensation that never ran.
        let everyOrderEnded = snapshot.mentionedOrderIDs.allSatisfy { snapshot.orders.status(of: $0)?.isTerminal == true }
        if everyOrderEnded {
            for orderID in snapshot.mentionedOrderIDs {
                guard let allocation = ledger.allocations[orderID], allocation.status == .reserved else { continue }
                found.append("\(orderID) still holds \(allocation.quantity) × \(allocation.sku) after every order ended")
            }
        }
        return found
    }
}
