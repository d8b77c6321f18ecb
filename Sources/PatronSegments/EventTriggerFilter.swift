public import PatronCore

/// What an `event.matched` trigger asks of an event beyond its name: comparisons on the event's
/// `properties` (all must hold) and a condition on the customer at that moment (traits, scores,
/// event history, segments: any ``SegmentCondition``).
///
/// JSON form: `{"properties": [{"property": "cart.value", "op": "gt", "value": 50}],
/// "customer": {"score": "valueDecile", "op": "ge", "value": 8}}`, both keys optional; a property
/// is a key of `properties`, or a dotted path into nested objects.
public struct EventTriggerFilter: Sendable, Hashable {
    /// One comparison on an event property.
    public struct PropertyComparison: Sendable, Hashable {
        /// The property key or dotted path.
        public var property: String
        /// The comparison its value must satisfy (a missing property satisfies none).
        public var comparison: Comparison

        /// Creates a property comparison.
        public init(property: String, comparison: Comparison) {
            self.property = property
            self.comparison = comparison
        }
    }

    /// The property comparisons; all must hold.
    public var properties: [PropertyComparison]
    /// The condition on the customer, or `nil` for any customer.
    public var customer: SegmentCondition?

    /// Whether the filter asks nothing (every event of the name matches).
    public var isEmpty: Bool { properties.isEmpty && customer == nil }

    /// Creates a filter; without arguments, one that every event passes.
    public init(properties: [PropertyComparison] = [], customer: SegmentCondition? = nil) {
        self.properties = properties
        self.customer = customer
    }

    /// Reads a filter from its JSON form.
    /// - Throws: ``SegmentError`` with code `.invalidDefinition` and the JSON path of the problem.
    public init(json: JSONValue) throws(SegmentError) {
        guard let members = json.objectValue else {
            throw ConditionReader.invalid("", "expected an object with 'properties' and/or 'customer'")
        }
        try ConditionReader.expectKeys(members, ["properties", "customer"], kind: "event filter", at: "")
        properties = []
        if let list = members["properties"] {
            guard let items = list.arrayValue else {
                throw ConditionReader.invalid("properties", "expected an array of property comparisons")
            }
            for (index, item) in items.enumerated() {
                let path = "properties[\(index)]"
                guard let object = item.objectValue else {
                    throw ConditionReader.invalid(path, "expected {\"property\": …, \"op\": …, \"value\": …}")
                }
                try ConditionReader.expectKeys(object, ["property", "op", "value"], kind: "property", at: path)
                properties.append(
                    PropertyComparison(
                        property: try ConditionReader.string(object, "property", at: path, what: "a property name"),
                        comparison: try ConditionReader.comparison(object, at: path, field: nil)
                    )
                )
            }
        }
        if let condition = members["customer"] {
            customer = try ConditionReader.condition(condition, at: "customer")
        } else {
            customer = nil
        }
    }

    /// Reads a filter from JSON text.
    /// - Throws: ``SegmentError`` with code `.invalidDefinition`.
    public static func parse(_ text: String) throws(SegmentError) -> EventTriggerFilter {
        try EventTriggerFilter(json: ConditionReader.json(text, what: "the event filter"))
    }

    /// The JSON form (what ``init(json:)`` reads).
    public var json: JSONValue {
        var members: [String: JSONValue] = [:]
        if !properties.isEmpty {
            members["properties"] = .array(
                properties.map { .object($0.comparison.jsonMembers(["property": .string($0.property)])) }
            )
        }
        if let customer { members["customer"] = customer.json }
        return .object(members)
    }

    /// Whether an event's `properties` satisfy every property comparison at `now` (milliseconds
    /// since 1970, for relative times).
    public func matchesProperties(of event: JSONValue, now: Int64) -> Bool {
        properties.allSatisfy { comparison in
            var value: JSONValue? = event.objectValue?["properties"]
            for key in comparison.property.split(separator: ".", omittingEmptySubsequences: false) {
                value = value?.objectValue?[String(key)]
            }
            return comparison.comparison.matches(value, now: now)
        }
    }
}
