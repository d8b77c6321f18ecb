import PatronStorage
import Synchronization

/// The event times of recently active customers, kept in memory between processing steps for the
/// real-time segment engine: per customer, the times of the `track` events whose names some
/// condition reads, within the widest window the conditions look back. A step adds the events it
/// recorded to the customers already here; a customer seen for the first time is read from the
/// store once. Counting "did `Order Completed` at least 3 times in the last 90 days" then needs no
/// read of the customer's events.
///
/// What is kept stays equal to what the store holds: the windows start over when the conditions
/// change their event names or look-back, when a step does not follow the one before (events
/// processed by another process, or a step whose segments failed), and drop the customers of every
/// identity merge or split recorded since the last step, by this process or another.
public final class CustomerEventWindows: Sendable {
    struct State {
        /// The event names and look-back the kept times are for.
        var scope: Scope?
        /// The last event id whose events are in the windows.
        var throughEventId: Int64?
        /// The last identity audit entry applied.
        var auditId: Int64?
        /// Times by event name, ascending, per customer.
        var times: [Int64: [String: [Int64]]] = [:]
    }

    struct Scope: Equatable {
        var eventNames: Set<String>
        var lookback: Int64?
    }

    private let state = Mutex(State())
    /// The most customers kept; past it the windows start over.
    let capacity: Int

    /// Creates empty windows that keep at most `capacity` customers.
    public init(capacity: Int = 250_000) {
        self.capacity = capacity
    }

    /// The customers kept.
    public var count: Int { state.withLock { $0.times.count } }

    /// The last identity audit entry applied (`nil` before the first step).
    var auditId: Int64? { state.withLock { $0.auditId } }

    /// Brings the windows up to a processing step: starts over when the scope changed or the step does
    /// not follow the last one, forgets the customers of identity changes, and adds the step's
    /// `track` events to the customers kept.
    /// - Parameters:
    ///   - identityChanges: the last audit entry read, and the customers of the merges and splits up to it.
    func advance(
        to outcome: ProcessingOutcome,
        scope: Scope,
        identityChanges: (auditId: Int64, customers: Set<Int64>)
    ) {
        state.withLock { state in
            let follows = outcome.eventIds.map { state.throughEventId == $0.lowerBound - 1 } ?? true
            if state.scope != scope || !follows {
                state.times.removeAll()
                state.scope = scope
            }
            if let last = outcome.eventIds?.upperBound { state.throughEventId = last }
            state.auditId = identityChanges.auditId
            for customer in identityChanges.customers { state.times[customer] = nil }
            // In place: a customer's times taken out and put back would be copied at each change.
            for (customer, change) in outcome.changes where !change.trackTimes.isEmpty && state.times[customer] != nil {
                for (name, times) in change.trackTimes where scope.eventNames.contains(name) {
                    state.times[customer]![name, default: []].insertInOrder(times)
                }
            }
        }
    }

    /// The kept times of `customers` no older than `lookback` before `now` (older ones are dropped),
    /// and the customers not kept.
    func times(
        of customers: [Int64],
        now: Int64,
        lookback: Int64?
    ) -> (known: [Int64: [String: [Int64]]], missing: [Int64]) {
        state.withLock { state in
            var known: [Int64: [String: [Int64]]] = [:]
            var missing: [Int64] = []
            for customer in customers {
                guard state.times[customer] != nil else {
                    missing.append(customer)
                    continue
                }
                if let lookback { state.times[customer]!.dropTimes(before: now - lookback) }
                known[customer] = state.times[customer]
            }
            return (known, missing)
        }
    }

    /// Keeps the times just read from the store for customers that were not kept.
    func remember(_ loaded: [Int64: [String: [Int64]]]) {
        state.withLock { state in
            if state.times.count + loaded.count > capacity { state.times.removeAll() }
            state.times.merge(loaded) { kept, _ in kept }
        }
    }

    /// Forgets everything (after a step whose segment evaluation failed part way).
    func reset() {
        state.withLock { $0 = State() }
    }
}

extension Dictionary where Key == String, Value == [Int64] {
    /// Drops, in place, the times before `start` (each array is ascending).
    fileprivate mutating func dropTimes(before start: Int64) {
        let stale = compactMap { name, times in times.first.map { $0 < start } == true ? name : nil }
        for name in stale {
            let kept = self[name]!.firstIndex { $0 >= start } ?? self[name]!.count
            self[name]!.removeSubrange(..<kept)
        }
    }
}

extension Array where Element == Int64 {
    /// Inserts `times` keeping the array ascending (they are usually later than every kept one).
    fileprivate mutating func insertInOrder(_ times: [Int64]) {
        for time in times {
            if let last, last > time {
                insert(time, at: partitioningIndex { $0 > time })
            } else {
                append(time)
            }
        }
    }

    private func partitioningIndex(where belongsAfter: (Int64) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongsAfter(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
