import Foundation
import GRDB
import PatronCore

/// What ``SQLiteStore/importTransactions(_:source:)`` remembers from one batch to the next: for
/// each customer id it resolved, the customer's row id and a range of dates its stored
/// `firstSeen`…`lastSeen` (widened by what ``ImportSeenJournal`` holds for it) is known to cover,
/// found by the id's number (``ImportCustomerNumbers``).
/// A file of ten million rows in batches of a hundred thousand then looks up each of its million
/// customers once instead of once per batch, and widens a customer's seen range only when a row
/// falls outside it.
///
/// The memory is only trusted while nothing else has written to the database since the last
/// batch committed: the writer connection's total change count and SQLite's `data_version` (which
/// changes when another connection, e.g. a running server, commits) must be as the last batch left
/// them, and that batch must have committed. Otherwise (a merge or split may have moved ids; a
/// failed batch rolled back the customers it created) everything is forgotten and looked up again.
/// It is also forgotten when the ids are numbered in a new session, so memory stays bounded.
struct ImportMemory {
    struct Known {
        var customer: Int64
        var first: Date
        var last: Date

        init(customer: Int64, first: Date = ImportMemory.nothing.first, last: Date = ImportMemory.nothing.last) {
            self.customer = customer
            self.first = first
            self.last = last
        }
    }

    /// An empty range: every date lies outside it.
    static let nothing = (
        first: Date(timeIntervalSinceReferenceDate: .infinity), last: Date(timeIntervalSinceReferenceDate: -.infinity)
    )
    private struct Stamp: Equatable {
        var dataVersion: Int64
        var totalChanges: Int
    }

    /// Indexed by the ids' numbers; a `customer` of 0 for an id not resolved yet.
    private var known: [Known] = []
    /// The numbering session of ``known``'s indexes.
    private var session = 0
    /// Incremented by every batch, so that a batch only marks its own commit.
    private var generation = 0
    /// The stamp the running batch ended with, trusted once it has committed.
    private var pending: Stamp?
    /// The stamp of the last committed batch; `nil` while a batch runs or after one failed.
    private var committed: Stamp?

    /// Starts a batch inside its write transaction: forgets everything unless the database is
    /// exactly as the last committed batch left it and the batch's ids are numbered in the same
    /// session. Returns the batch's generation.
    mutating func begin(_ db: Database, session: Int) throws -> Int {
        let stamp = try Self.stamp(db)
        if stamp != committed || session != self.session {
            known.removeAll()
            self.session = session
        }
        committed = nil
        pending = nil
        generation += 1
        return generation
    }

    /// What is remembered about the id numbered `number`, if anything.
    func recall(_ number: Int) -> Known? {
        number < known.count && known[number].customer != 0 ? known[number] : nil
    }

    /// Remembers `what` about the id numbered `number`.
    mutating func remember(_ number: Int, _ what: Known) {
        if number >= known.count {
            known.append(contentsOf: repeatElement(Known(customer: 0), count: number + 1 - known.count))
        }
        known[number] = what
    }

    /// Ends a batch, still inside its write transaction.
    mutating func end(_ db: Database) throws {
        pending = try Self.stamp(db)
    }

    /// Called once the transaction of batch `generation` has committed.
    mutating func committed(_ generation: Int) {
        if generation == self.generation { committed = pending }
    }

    private static func stamp(_ db: Database) throws -> Stamp {
        Stamp(
            dataVersion: try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? -1,
            totalChanges: db.totalChangesCount
        )
    }
}
