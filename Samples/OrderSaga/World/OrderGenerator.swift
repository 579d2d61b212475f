import Troupe

/// Produces a reproducible stream of `OrderPlaced` events for a ``SagaConfiguration``.
///
/// Order ids count up (`order-0001`, `order-0002`, …); customer, SKU and quantity are drawn
/// from a seeded `Xoshiro256StarStar`, never from the system's random source, so the same seed
/// always gives the same orders — on every platform and Swift version, because the draws use
/// only the generator's raw bits (no standard-library sampling algorithm in between).
public struct OrderGenerator: Sendable {
    /// The world orders are drawn from.
    public let configuration: SagaConfiguration
    private var random: Xoshiro256StarStar
    private var issued = 0

    /// Creates a generator; equal seeds and configurations give equal orders.
    public init(seed: UInt64, configuration: SagaConfiguration = .standard) {
        self.configuration = configuration
        self.random = Xoshiro256StarStar(seed: seed)
    }

    /// The next order.
    public mutating func next() -> OrderPlaced {
        issued += 1
        let customer = configuration.customers[draw(below: configuration.customers.count)]
        let product = configuration.products[draw(below: configuration.products.count)]
        let quantity = 1 + draw(below: configuration.maximumQuantity)
        return OrderPlaced(
            orderID: Self.orderID(issued), customerID: customer.customerID, sku: product.sku,
            quantity: quantity, amountCents: quantity * product.unitPriceCents
        )
    }

    /// The next `count` orders.
    public mutating func orders(_ count: Int) -> [OrderPlaced] {
        (0..<max(0, count)).map { _ in next() }
    }

    /// The id of the `number`th order: `order-0001`; more digits past 9999.
    public static func orderID(_ number: Int) -> String {
        let digits = String(number)
        return "order-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// A number in `0..<bound`: the high word of a 64×64-bit product (Lemire's multiply-shift),
    /// whose bias is negligible for the small bounds used here.
    private mutating func draw(below bound: Int) -> Int {
        Int(UInt64(bound).multipliedFullWidth(by: random.next()).high)
    }
}
