package import GRDB

/// A condition compiled to SQL: a predicate over the row `customer` of the store's `customer`
/// table, with its parameters (bound, never interpolated: only fixed column names and operators
/// are written into the text).
package struct CompiledSegmentCondition: Sendable {
    /// The predicate; it is 0 or 1 for every customer, never `NULL`, so `NOT` behaves as in memory.
    package var predicate: String
    /// The values bound to its `?` placeholders, in order.
    package var arguments: [DatabaseValue]
}
