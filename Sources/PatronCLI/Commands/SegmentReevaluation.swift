import PatronSegments
import PatronStorage

/// Re-evaluates every segment after a command changed customers outside `patron serve` (traits and
/// consent from a CRM import, scores from a fit), so that entries and exits are recorded, and fire
/// their triggers, at once instead of at a server's next full refresh.
enum SegmentReevaluation {
    /// Backfills every segment of `store`.
    /// - Returns: the entries and exits recorded.
    static func run(_ store: SQLiteStore) async throws -> Int {
        let changes = try await store.backfillSegments()
        return changes.values.reduce(0) { $0 + $1.entered.count + $1.exited.count }
    }
}
