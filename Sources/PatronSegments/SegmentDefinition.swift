public import Foundation
import PatronStorage

/// A stored segment with its condition parsed.
public struct SegmentDefinition: Sendable, Hashable {
    /// Row id.
    public var id: Int64
    /// The unique name.
    public var name: String
    /// The condition.
    public var condition: SegmentCondition
    /// When the segment was created.
    public var createdAt: Date
    /// When the definition last changed.
    public var updatedAt: Date

    /// Creates a definition.
    public init(id: Int64, name: String, condition: SegmentCondition, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.condition = condition
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Parses a stored segment's definition.
    /// - Throws: ``SegmentError`` (`.invalidDefinition`) when the stored JSON no longer parses.
    init(_ stored: StoredSegment) throws(SegmentError) {
        let condition: SegmentCondition
        do {
            condition = try SegmentCondition.parse(stored.definition)
        } catch {
            throw SegmentError(.invalidDefinition, path: error.path, "segment '\(stored.name)': \(error.message)")
        }
        self.init(
            id: stored.id,
            name: stored.name,
            condition: condition,
            createdAt: stored.createdAt,
            updatedAt: stored.updatedAt
        )
    }
}
