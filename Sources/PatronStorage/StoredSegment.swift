public import Foundation

/// A segment as stored: its name and its condition as JSON text (parsed and compiled by
/// `PatronSegments`, which owns the condition language).
public struct StoredSegment: Sendable, Hashable, Codable {
    /// Row id.
    public var id: Int64
    /// The unique name.
    public var name: String
    /// The condition, as canonical JSON text.
    public var definition: String
    /// When the segment was created.
    public var createdAt: Date
    /// When the definition last changed.
    public var updatedAt: Date

    /// Creates a stored segment.
    public init(id: Int64, name: String, definition: String, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.definition = definition
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
