public import Foundation
import PatronCore
public import PatronStorage

extension SQLiteStore {
    /// Creates a trigger that sends a webhook to `destination` for each `track` event named
    /// `eventName`, stored from now on, that passes `filter` (every one when `nil`).
    /// - Throws: ``SegmentError``: `.notFound` for an unknown destination or a segment the filter's
    ///   customer condition refers to, `.conflict` when the name is taken, `.invalidDefinition` for
    ///   an empty name.
    public func createEventTrigger(
        name: String,
        eventName: String,
        filter: EventTriggerFilter?,
        destination: String,
        at time: Date = Date()
    ) async throws(SegmentError) -> Trigger {
        let known = Set(try await segmentDefinitions().map(\.name))
        for reference in (filter?.customer?.referencedSegments ?? []).sorted() where !known.contains(reference) {
            throw SegmentError(
                .notFound,
                path: "customer",
                "the filter refers to segment '\(reference)', which does not exist"
            )
        }
        let text = filter.flatMap { $0.isEmpty ? nil : $0.json.jsonText }
        return try await segmentStore { () throws(StoreError) in
            try await createEventTrigger(
                name: name,
                eventName: eventName,
                filterJSON: text,
                destination: destination,
                at: time
            )
        }
    }

    /// Matches the processed `track` events not yet considered against the enabled `event.matched`
    /// triggers (name, property comparisons, condition on the customer now) and queues a webhook for
    /// each match; the queueing and the durable `eventTriggers` cursor commit together (the
    /// transactional outbox), so a match is queued once even across crashes. Runs until the cursor
    /// reaches the processed events.
    /// - Parameters:
    ///   - limit: candidate events read per transaction.
    ///   - through: the last event to match (those after it wait for a later call), so that a caller
    ///     can finish its own work on the processed events first (re-scoring their customers).
    /// - Returns: the number of webhooks queued (those suppressed by consent or caps included).
    @discardableResult
    public func fireEventTriggers(
        limit: Int = 500,
        through: Int64 = .max,
        at time: Date = Date()
    ) async throws(SegmentError) -> Int {
        var queued = 0
        while let work = try await segmentStore({ () throws(StoreError) in
            try await pendingEventTriggerWork(limit: limit, through: through)
        }) {
            let firings = try await matches(in: work, at: time)
            queued += try await segmentStore { () throws(StoreError) in
                try await recordEventTriggerFirings(firings, of: work, at: time)
            }
        }
        return queued
    }

    /// The webhooks that the events of `work` fire, in event order, then trigger name order.
    private func matches(
        in work: EventTriggerWork,
        at time: Date
    ) async throws(SegmentError) -> [EventTriggerFiring] {
        let now = CustomerFacts.milliseconds(time)
        // Filters are checked when a trigger is created; one that no longer reads matches nothing.
        var filters: [String: EventTriggerFilter] = [:]
        for rule in work.rules {
            filters[rule.name] = rule.filter.map { try? EventTriggerFilter.parse($0) } ?? EventTriggerFilter()
        }
        var candidates: [(rule: EventTriggerRule, event: TriggerCandidateEvent, filter: EventTriggerFilter)] = []
        for event in work.events {
            let payload = try? JSONValue.parse(Data(event.payload.utf8))
            for rule in work.rules where rule.eventName == event.name && event.id > rule.afterEventId {
                guard let filter = filters[rule.name], let payload,
                    filter.matchesProperties(of: payload, now: now)
                else { continue }
                candidates.append((rule, event, filter))
            }
        }
        // The customer conditions read the facts of the customers concerned, once.
        let conditions = candidates.compactMap(\.filter.customer)
        var facts: [Int64: CustomerFacts] = [:]
        if !conditions.isEmpty {
            let customers = Set(candidates.filter { $0.filter.customer != nil }.compactMap(\.event.customerId))
            for fact in try await customerFacts(
                at: time,
                customers: customers.sorted(),
                lookback: SegmentCondition.all(conditions).eventLookbackMilliseconds
            ) {
                facts[fact.customerId] = fact
            }
        }
        return candidates.compactMap { candidate in
            if let condition = candidate.filter.customer {
                guard let id = candidate.event.customerId, let fact = facts[id], condition.isSatisfied(by: fact) else {
                    return nil
                }
            }
            return EventTriggerFiring(
                trigger: candidate.rule.name,
                destinationId: candidate.rule.destinationId,
                event: candidate.event
            )
        }
    }
}
