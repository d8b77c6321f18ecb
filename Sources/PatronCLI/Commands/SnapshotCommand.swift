import ArgumentParser
import CustomerValue
import Foundation
import PatronInsights
import PatronStorage

/// `patron snapshot`: values the customer base as of a day (or every month end) with a model fitted
/// on the data up to that day only.
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Value the customer base as of a day, or rebuild monthly history (no look-ahead).",
        discussion: """
            Each snapshot fits the purchase model (and Gamma-Gamma) on the transactions up to its day only,
            values every customer as of that day and stores it; re-running a day replaces its snapshot.
            See the result with `patron report trend`.

            Examples:
              patron snapshot                       # as of the last purchase day
              patron snapshot --backfill monthly    # every month end since the first purchase
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The day to value the base as of, YYYY-MM-DD (default: the last purchase day).")
    var asOf: String?

    @Option(help: "Rebuild history: 'monthly' = every month end from the first purchase to --as-of.")
    var backfill: String?

    @Option(help: "The purchase model: bgnbd, mbgnbd or pnbd.")
    var model = "bgnbd"

    @Option(help: "Time unit of the models: weeks or days.")
    var timeUnit: TimeUnit = .weeks

    @Option(help: "Monthly discount rate of CLV figures.")
    var discountRate = 0.01

    func validate() throws {
        if let backfill, backfill != "monthly" {
            throw ValidationError("--backfill supports 'monthly', got '\(backfill)'")
        }
    }

    func run() async throws {
        let store = try database.open()
        try await store.processAll()
        guard let range = try await store.purchaseDayRange() else {
            throw InputError("the store holds no transactions: import or ingest orders first")
        }
        let lastDay = try AsOfDay.parse(asOf) ?? range.upperBound
        let days = backfill == nil ? [lastDay] : SnapshotBackfill.monthEnds(from: range.lowerBound, to: lastDay)
        let options = StoreFitOptions(
            model: model,
            holdoutDays: 0,
            timeUnit: timeUnit,
            monthlyDiscountRate: discountRate
        )
        let bar = ProgressBarBox(ProgressBar(label: "snapshots", total: days.count))
        let result = try await SnapshotBackfill(store: store).run(days: days, options: options) { done, total in
            bar.update(done, note: "\(done)/\(total)")
        }
        bar.finish(note: "\(result.written.count) written")
        for reason in result.skipped { FileHandle.standardError.write(Data("skipped \(reason)\n".utf8)) }
        print("\(result.written.count) snapshot(s) written, \(result.skipped.count) skipped; see `patron report trend`")
        if result.written.isEmpty { throw ExitCode.failure }
    }
}
