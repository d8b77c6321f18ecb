import Foundation
import PatronSegments

/// A `--definition` argument: a JSON condition given inline or as the path of a file holding one.
enum SegmentDefinitionText {
    /// The condition of `argument`.
    /// - Throws: ``InputError`` naming the file (when read from one) and the JSON path of the problem.
    static func condition(_ argument: String) throws -> SegmentCondition {
        let trimmed = argument.trimmingCharacters(in: .whitespacesAndNewlines)
        let isInline = trimmed.hasPrefix("{") || trimmed.hasPrefix("[")
        var text = trimmed
        if !isInline {
            guard FileManager.default.fileExists(atPath: argument) else {
                throw InputError(file: argument, "file not found (give a file or the JSON condition itself)")
            }
            text = try String(contentsOfFile: argument, encoding: .utf8)
        }
        do {
            return try SegmentCondition.parse(text)
        } catch {
            throw InputError(file: isInline ? "--definition" : argument, error.description)
        }
    }
}
