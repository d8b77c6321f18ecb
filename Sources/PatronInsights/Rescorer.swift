public import Foundation
public import PatronStorage
import Synchronization

/// Re-scores single customers with the active model version when their orders change (no refit):
/// their summaries are read from the store by customer, scored, and written with their history.
/// A customer is scored as of today (UTC), or as of the model's cut-off when that is later.
public final class Rescorer: Sendable {
    let store: SQLiteStore
    private let cached = Mutex<ScoringModel?>(nil)

    /// Creates a rescorer over `store`.
    public init(store: SQLiteStore) { self.store = store }

    /// Re-scores `customers` as of `now`.
    /// - Returns: the customers scored (0 before the first fit, and for customers without purchases).
    @discardableResult
    public func rescore(_ customers: [Int64], now: Date = Date()) async throws(InsightsError) -> Int {
        guard !customers.isEmpty else { return 0 }
        return try await InsightsError.wrapping {
            let today = Int((now.timeIntervalSince1970 / 86_400).rounded(.down))
            // Usually one read (the active version's id and the summaries) and one write.
            if let model = cached.withLock({ $0 }) {
                let asOfDay = max(model.version.dataCutoffDay, today)
                let (activeId, summaries) = try await store.activeVersionIdAndSummaries(
                    customers: customers,
                    asOfDay: asOfDay
                )
                guard let activeId else { return 0 }
                if activeId == model.version.id {
                    return try await save(summaries, model: model, asOfDay: asOfDay, now: now)
                }
            }
            guard let version = try await store.activeModelVersion() else { return 0 }
            let model = try ScoringModel(version: version)
            cached.withLock { $0 = model }
            let asOfDay = max(model.version.dataCutoffDay, today)
            let summaries = try await store.purchaseSummaries(asOfDay: asOfDay, customers: customers)
            return try await save(summaries, model: model, asOfDay: asOfDay, now: now)
        }
    }

    private func save(_ summaries: [PurchaseSummary], model: ScoringModel, asOfDay: Int, now: Date) async throws -> Int
    {
        let scores = summaries.map { summary in
            model.score(model.estimate(summary, asOfDay: asOfDay), customerId: summary.customerId, at: now)
        }
        try await store.saveScores(scores, reason: "order")
        return scores.count
    }
}
