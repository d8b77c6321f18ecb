public import Foundation
public import PatronCore

/// A segment as the command line and the admin API show it: its name, its condition in JSON form,
/// its current member count and when it was created and last changed.
public struct SegmentOverview: Sendable, Encodable {
    /// The segment's name.
    public var name: String
    /// The condition's JSON form.
    public var condition: JSONValue
    /// When it was created.
    public var createdAt: Date
    /// When its condition was last replaced.
    public var updatedAt: Date
    /// Its current members.
    public var members: Int

    /// The overview of `definition` with `members` current members.
    public init(_ definition: SegmentDefinition, members: Int) {
        name = definition.name
        condition = definition.condition.json
        createdAt = definition.createdAt
        updatedAt = definition.updatedAt
        self.members = members
    }
}
