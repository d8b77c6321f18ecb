import PatronStorage

extension RealtimeSegmentPlan {
    /// What one in-memory evaluation found, per segment to record: its id, the customers it was
    /// evaluated for and those found members.
    typealias Evaluations = [(segmentId: Int64, evaluated: Set<Int64>, members: Set<Int64>)]

    /// Evaluates in memory, for each customer of `facts`, the definitions at the positions `due`
    /// gives and those that refer to a segment that moved, in dependency order, each seeing the
    /// memberships just computed. A customer of `customers` without facts (merged away or unknown)
    /// is evaluated out of every segment.
    /// - Returns: the evaluations of the segments to record; empty when no membership moved.
    func evaluations(
        of facts: [CustomerFacts],
        customers: [Int64],
        due: (CustomerFacts) -> [Int]
    ) -> Evaluations {
        var facts = facts
        var moving: Set<Int> = []
        // Per customer (in the order of `facts`), the positions evaluated for it.
        var evaluated: [[Bool]] = []
        evaluated.reserveCapacity(facts.count)
        var isDue = [Bool](repeating: false, count: definitions.count)
        var isIn = [Bool](repeating: false, count: definitions.count)
        for index in facts.indices {
            for position in definitions.indices {
                isDue[position] = false
                isIn[position] = false
            }
            for position in due(facts[index]) { isDue[position] = true }
            for name in facts[index].segments {
                if let position = positionOfSegment[name] { isIn[position] = true }
            }
            for position in definitions.indices where isDue[position] {
                let isMember = definitions[position].condition.isSatisfied(by: facts[index])
                guard isMember != isIn[position] else { continue }
                let name = definitions[position].name
                if isMember {
                    facts[index].segments.insert(name)
                } else {
                    facts[index].segments.remove(name)
                }
                isIn[position] = isMember
                moving.insert(position)
                for referrer in referrers[name] ?? [] { isDue[referrer] = true }
            }
            evaluated.append(isDue)
        }
        let withoutFacts = Set(customers).subtracting(facts.map(\.customerId))
        guard !withoutFacts.isEmpty || !moving.isEmpty else { return [] }
        let recorded = withoutFacts.isEmpty ? moving.sorted() : Array(definitions.indices)
        return recorded.map { position in
            var customers = withoutFacts
            var members: Set<Int64> = []
            for index in facts.indices where evaluated[index][position] {
                customers.insert(facts[index].customerId)
                if facts[index].segments.contains(definitions[position].name) {
                    members.insert(facts[index].customerId)
                }
            }
            return (definitions[position].id, customers, members)
        }
    }

    /// The customers of `facts` whose memberships an evaluation of every definition would change.
    func customersWhoseMembershipsMove(_ facts: [CustomerFacts]) -> [Int64] {
        let every = Array(definitions.indices)
        return facts.filter { !evaluations(of: [$0], customers: [$0.customerId]) { _ in every }.isEmpty }
            .map(\.customerId)
    }

    /// `changes` by segment id, named.
    func byName(_ changes: [Int64: SegmentMembershipChange]) -> [String: SegmentMembershipChange] {
        var named: [String: SegmentMembershipChange] = [:]
        for definition in definitions {
            if let change = changes[definition.id] { named[definition.name] = change }
        }
        return named
    }
}
