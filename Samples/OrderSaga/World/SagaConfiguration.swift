/// The demo's world: what is in stock, at what price, and who may spend how much.
///
/// Everything is fixed data, so a run is reproducible from this value and a seed (see
/// ``OrderGenerator``). ``standard`` is tuned so that 100 generated orders end both ways, and
/// cancellations happen through both paths: a scarce SKU runs out (`StockUnavailable`) and a
/// low credit limit refuses expensive orders (`PaymentDeclined` → `StockReleased`).
public struct SagaConfiguration: Codable, Sendable, Hashable {
    /// A product in the warehouse.
    public struct Product: Codable, Sendable, Hashable {
        /// Its stock-keeping unit.
        public var sku: String
        /// Units on hand at the start.
        public var initialStock: Int
        /// Price of one unit, in cents.
        public var unitPriceCents: Int

        /// Creates a product.
        public init(sku: String, initialStock: Int, unitPriceCents: Int) {
            self.sku = sku
            self.initialStock = initialStock
            self.unitPriceCents = unitPriceCents
        }
    }

    /// A customer the generator places orders for.
    public struct Customer: Codable, Sendable, Hashable {
        /// The customer's id.
        public var customerID: String
        /// The largest order payment accepts from them, in cents.
        public var creditLimitCents: Int

        /// Creates a customer.
        public init(customerID: String, creditLimitCents: Int) {
            self.customerID = customerID
            self.creditLimitCents = creditLimitCents
        }
    }

    /// The products, in the order the generator picks from.
    public var products: [Product]
    /// The customers, in the order the generator picks from.
    public var customers: [Customer]
    /// The credit limit of customers not listed, in cents.
    public var defaultCreditLimitCents: Int
    /// The most units one generated order asks for (at least 1).
    public var maximumQuantity: Int

    /// Creates a world.
    public init(products: [Product], customers: [Customer], defaultCreditLimitCents: Int, maximumQuantity: Int) {
        precondition(!products.isEmpty && !customers.isEmpty && maximumQuantity >= 1, "an empty world places no orders")
        self.products = products
        self.customers = customers
        self.defaultCreditLimitCents = defaultCreditLimitCents
        self.maximumQuantity = maximumQuantity
    }

    /// The default world: three products (one scarce), four customers (one frugal).
    public static let standard = SagaConfiguration(
        products: [
            Product(sku: "widget", initialStock: 200, unitPriceCents: 1_250),
            Product(sku: "gadget", initialStock: 60, unitPriceCents: 2_500),
            Product(sku: "gizmo", initialStock: 12, unitPriceCents: 4_000),
        ],
        customers: [
            Customer(customerID: "ada", creditLimitCents: 15_000),
            Customer(customerID: "grace", creditLimitCents: 10_000),
            Customer(customerID: "linus", creditLimitCents: 25_000),
            Customer(customerID: "margaret", creditLimitCents: 4_000),
        ],
        defaultCreditLimitCents: 5_000,
        maximumQuantity: 4
    )

    /// Units on hand at the start, by SKU (what ``InventoryService`` starts with and what the
    /// invariant checker conserves).
    public var initialStock: [String: Int] {
        Dictionary(products.map { ($0.sku, $0.initialStock) }, uniquingKeysWith: +)
    }

    /// Credit limits by customer id, in cents.
    public var creditLimitsCents: [String: Int] {
        Dictionary(customers.map { ($0.customerID, $0.creditLimitCents) }, uniquingKeysWith: { first, _ in first })
    }

    /// The inventory service for this world.
    public func inventoryService() -> InventoryService {
        InventoryService(initialStock: initialStock)
    }

    /// The payment service for this world.
    public func paymentService() -> PaymentService {
        PaymentService(creditLimitCents: creditLimitsCents, defaultLimitCents: defaultCreditLimitCents)
    }
}
