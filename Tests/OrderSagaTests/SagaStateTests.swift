import OrderSaga
import Testing

@Suite("The services' state rules")
struct SagaStateTests {
    let placed = OrderPlaced(orderID: "order-0001", customerID: "ada", sku: "gizmo", quantity: 2, amountCents: 8_000)

    @Test func aTerminalOrderNeverChangesAgain() {
        var book = OrderBook()
        book.place(placed, placedAtMicros: 10)
        #expect(book.status(of: "order-0001") == .pending)
        let ended = book.finish("order-0001", as: .confirmed, atMicros: 20)
        let endedAgain = book.finish("order-0001", as: .cancelled, reason: "late", atMicros: 30)
        #expect(ended && !endedAgain)
        book.place(placed, placedAtMicros: 40)
        #expect(book.orders["order-0001"] == OrderRecord(status: .confirmed, customerID: "ada", placedAtMicros: 10,
                                                         terminalAtMicros: 20))
    }

    @Test func aTerminalFactThatOvertakesOrderPlacedStillEndsTheOrder() {
        var book = OrderBook()
        let ended = book.finish("order-0001", as: .cancelled, reason: "out of stock", atMicros: 20)
        #expect(ended)
        book.place(placed, placedAtMicros: 10)
        #expect(book.orders["order-0001"] == OrderRecord(status: .cancelled, customerID: "ada", reason: "out of stock",
                                                         placedAtMicros: 10, terminalAtMicros: 20))
    }

    @Test func stockMovesBetweenAvailableReservedAndSoldAndIsNeverDecidedTwice() {
        var ledger = StockLedger(available: ["gizmo": 3])
        let decisions = [
            ledger.reserve(orderID: "a", sku: "gizmo", quantity: 2),
            ledger.reserve(orderID: "a", sku: "gizmo", quantity: 2),
            ledger.reserve(orderID: "b", sku: "gizmo", quantity: 2),
            ledger.reserve(orderID: "c", sku: "gizmo", quantity: 0),
        ]
        #expect(decisions == [.reserved, nil, .refused, .refused], "the same order is never decided twice")
        #expect(ledger.reserved == ["gizmo": 2] && ledger.available == ["gizmo": 1])
        let released = ledger.release(orderID: "a")
        let releasedAgain = ledger.release(orderID: "a")
        let soldAfterRelease = ledger.sell(orderID: "a")
        #expect(released == StockAllocation(sku: "gizmo", quantity: 2, status: .reserved))
        #expect(releasedAgain == nil && !soldAfterRelease, "a compensation runs once, and ends the reservation")
        let reserved = ledger.reserve(orderID: "d", sku: "gizmo", quantity: 3)
        let sold = ledger.sell(orderID: "d")
        #expect(reserved == .reserved && sold)
        #expect(ledger.available == ["gizmo": 0] && ledger.sold == ["gizmo": 3] && ledger.reserved.isEmpty)
    }

    @Test func ledgersCountEveryApplicationSoTheCheckerCanSeeDoubles() {
        var payments = PaymentLedger()
        payments.recordCapture(orderID: "a", amountCents: 100)
        payments.recordCapture(orderID: "a", amountCents: 100)
        #expect(payments.captures["a"] == .init(count: 2, amountCents: 200))
        #expect(payments.hasDecided("a") && !payments.hasDecided("b"))
        var log = NotificationLog()
        log.record(orderID: "a", outcome: .confirmed)
        log.record(orderID: "a", outcome: .confirmed)
        #expect(log.notifications["a"] == .init(count: 2, outcome: .confirmed))
    }

    @Test func paymentUsesTheCustomersLimitOrTheDefault() {
        let payment = SagaConfiguration.standard.paymentService()
        #expect(payment.limitCents(for: "margaret") == 4_000)
        #expect(payment.limitCents(for: "a stranger") == SagaConfiguration.standard.defaultCreditLimitCents)
    }
}
