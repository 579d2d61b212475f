extension SagaInvariantChecker {
    /// Placed (or otherwise mentioned) orders that have not ended at the order service.
    static func ordersNotTerminal(in snapshot: SagaSnapshot) -> [String] {
        snapshot.mentionedOrderIDs.compactMap { orderID in
            switch snapshot.orders.status(of: orderID) {
            case nil: "\(orderID) unknown to the order service"
            case .pending: "\(orderID) pending"
            case .confirmed, .cancelled: nil
            }
        }
    }

    /// Ended orders on which the services disagree — the ways an order can be "both confirmed
    /// and cancelled" when its story is spread over four services.
    static func outcomeDisagreements(in snapshot: SagaSnapshot) -> [String] {
        snapshot.mentionedOrderIDs.compactMap { orderID in
            guard let outcome = snapshot.orders.status(of: orderID)?.outcome else { return nil }
            let captures = snapshot.payments.captures[orderID]?.count ?? 0
            let stock = snapshot.inventory.allocations[orderID]?.status
            let told = snapshot.notifications.notifications[orderID]?.outcome
            var problems: [String] = []
            switch outcome {
            case .confirmed:
                if captures != 1 { problems.append("captured \(times(captures))") }
                if snapshot.payments.declines[orderID] != nil { problems.append("payment declined it") }
                if stock != .sold { problems.append("its stock is \(stock?.rawValue ?? "never reserved")") }
            case .cancelled:
                if captures > 0 { problems.append("captured \(times(captures))") }
                if stock == .sold || stock == .reserved { problems.append("its stock is \(stock!.rawValue)") }
            }
            if let told, told != outcome { problems.append("the customer was told \(told.rawValue)") }
            return problems.isEmpty ? nil : "\(orderID) \(outcome.rawValue), but \(problems.joined(separator: ", "))"
        }
    }

    /// Orders captured more than once, captured though cancelled, or both captured and declined.
    static func captureViolations(in snapshot: SagaSnapshot) -> [String] {
        snapshot.mentionedOrderIDs.flatMap { orderID -> [String] in
            guard let capture = snapshot.payments.captures[orderID] else { return [] }
            var found: [String] = []
            if capture.count > 1 {
                found.append("\(orderID) captured \(times(capture.count)) (\(formattedCents(capture.amountCents)) in all)")
            }
            if snapshot.orders.status(of: orderID) == .cancelled {
                found.append("\(orderID) cancelled but captured \(times(capture.count))")
            }
            if snapshot.payments.declines[orderID] != nil {
                found.append("\(orderID) both captured and declined")
            }
            return found
        }
    }

    /// Ended orders notified other than exactly once, and unended ones notified at all.
    static func notificationViolations(in snapshot: SagaSnapshot) -> [String] {
        snapshot.mentionedOrderIDs.compactMap { orderID in
            let status = snapshot.orders.status(of: orderID)
            let count = snapshot.notifications.notifications[orderID]?.count ?? 0
            let terminal = status?.isTerminal ?? false
            guard terminal ? count != 1 : count > 0 else { return nil }
            return "\(orderID) \(status?.rawValue ?? "unknown") but notified \(times(count))"
        }
    }

    /// `1 time`, `2 times`.
    static func times(_ count: Int) -> String {
        count == 1 ? "1 time" : "\(count) times"
    }
}
