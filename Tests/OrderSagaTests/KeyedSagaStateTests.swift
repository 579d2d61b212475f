import Foundation
import OrderSaga
import Testing
import Troupe

/// The saga's states are stored record by record; rebuilding them from their records gives
/// back the same state.
@Suite("Saga states as keyed records")
struct KeyedSagaStateTests {
    @Test func everyStateRoundTripsThroughItsRecords() throws {
        var book = OrderBook()
        book.place(OrderPlaced(orderID: "order-1", customerID: "ada", sku: "widget", quantity: 1, amountCents: 1250), placedAtMicros: 5)
        _ = book.finish("order-1", as: .confirmed, atMicros: 9)
        #expect(try OrderBook(records: collect(&book)) == book)

        var ledger = SagaConfiguration.standard.inventoryService().initialState()
        _ = ledger.reserve(orderID: "order-1", sku: "widget", quantity: 2)
        _ = ledger.sell(orderID: "order-1")
        #expect(try StockLedger(records: collect(&ledger)) == ledger)

        var payments = PaymentLedger()
        payments.recordCapture(orderID: "order-1", amountCents: 1250)
        payments.recordDecline(orderID: "order-2", amountCents: 99_000, reason: "over the limit")
        #expect(try PaymentLedger(records: collect(&payments)) == payments)

        var log = NotificationLog()
        log.record(orderID: "order-1", outcome: .confirmed)
        #expect(try NotificationLog(records: collect(&log)) == log)
    }

    @Test func handlingOneEventWritesOnlyTheRecordsItTouched() throws {
        var book = OrderBook()
        for n in 1...100 {
            book.place(OrderPlaced(orderID: "order-\(n)", customerID: "ada", sku: "widget", quantity: 1, amountCents: 1), placedAtMicros: 1)
        }
        _ = try book.takeChangedRecords()
        _ = book.finish("order-42", as: .cancelled, reason: "out of stock", atMicros: 2)
        #expect(Array(try book.takeChangedRecords().keys) == ["order/order-42"])
    }

    private func collect<S: KeyedState>(_ state: inout S) throws -> [String: Data] {
        try state.takeChangedRecords().compactMapValues { $0 }
    }
}
