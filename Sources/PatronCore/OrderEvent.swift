/// What an e-commerce event of the Segment spec means for the customer's transactions.
public enum OrderEvent: Sendable, Hashable {
    /// `Order Completed`: a purchase.
    case completed(OrderDetails)
    /// `Order Refunded`: the order is reversed (in full, or by `amount` when given).
    case refunded(orderId: String, amount: Double?)

    /// Reads an `Order Completed` or `Order Refunded` track call, or returns `nil` for any other
    /// event or one without an `order_id`.
    ///
    /// Revenue is `revenue`, else `total`, else the sum of `price × quantity` over `products`.
    public init?(_ event: SegmentEvent) {
        guard event.type == .track, let name = event.name else { return nil }
        let properties = event.payload["properties"]
        guard let orderId = Self.text(properties?["order_id"] ?? properties?["orderId"]), !orderId.isEmpty else {
            return nil
        }
        switch name {
        case "Order Completed":
            let products = properties?["products"]?.arrayValue ?? []
            let productsTotal = products.reduce(0.0) { sum, product in
                sum + (product["price"]?.numberValue ?? 0) * (product["quantity"]?.numberValue ?? 1)
            }
            let revenue = properties?["revenue"]?.numberValue ?? properties?["total"]?.numberValue ?? productsTotal
            let currency = properties?["currency"]?.stringValue?.uppercased() ?? "USD"
            self = .completed(
                OrderDetails(orderId: orderId, revenue: revenue, currency: currency, products: .array(products))
            )
        case "Order Refunded":
            self = .refunded(
                orderId: orderId,
                amount: properties?["revenue"]?.numberValue ?? properties?["total"]?.numberValue
            )
        default:
            return nil
        }
    }

    private static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: return text
        case .number(let number)? where number == number.rounded() && abs(number) < 1e15: return String(Int64(number))
        default: return nil
        }
    }
}

/// A completed order.
public struct OrderDetails: Sendable, Hashable {
    /// The shop's order id (the dedup key).
    public var orderId: String
    /// The order's revenue in `currency`.
    public var revenue: Double
    /// ISO 4217 code (default USD).
    public var currency: String
    /// The `products` array as sent.
    public var products: JSONValue
}
