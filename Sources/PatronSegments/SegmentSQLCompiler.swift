import GRDB
import PatronStorage

extension SegmentCondition {
    /// The condition as SQL over the store, evaluated at `now` (milliseconds since 1970): the batch
    /// engine, which agrees with ``isSatisfied(by:)``.
    package func compiled(now: Int64) -> CompiledSegmentCondition {
        var compiler = SegmentSQLCompiler(now: now)
        let predicate = compiler.predicate(self)
        return CompiledSegmentCondition(predicate: predicate, arguments: compiler.arguments)
    }
}

/// Writes the SQL of a condition, collecting the bound values.
struct SegmentSQLCompiler {
    let now: Int64
    private(set) var arguments: [DatabaseValue] = []

    init(now: Int64) { self.now = now }

    /// A placeholder for `value`.
    mutating func bind(_ value: some DatabaseValueConvertible) -> String {
        arguments.append(value.databaseValue)
        return "?"
    }

    /// An instant as the store writes it, for comparisons with stored event times.
    mutating func bindTime(_ milliseconds: Int64) -> String {
        bind(SegmentSQLFunctions.storedText(milliseconds: milliseconds))
    }

    mutating func predicate(_ condition: SegmentCondition) -> String {
        switch condition {
        case .trait(let key, let comparison):
            let key = bind(key)
            let test = self.test(comparison, type: "json_type(trait.value)", value: "json_extract(trait.value, '$')")
            return """
                EXISTS (SELECT 1 FROM trait WHERE trait.customerId = customer.id AND trait.key = \(key)
                AND CASE WHEN json_valid(trait.value) THEN \(test) ELSE 0 END)
                """
        case .score(let field, let comparison):
            let test = self.test(
                comparison,
                type: field.isText ? "'text'" : "'real'",
                value: "customerScore.\(field.rawValue)"
            )
            return "EXISTS (SELECT 1 FROM customerScore WHERE customerScore.customerId = customer.id AND \(test))"
        case .eventCount(let condition):
            return eventCount(condition)
        case .eventSequence(let condition):
            return eventSequence(condition)
        case .segment(let name):
            return """
                EXISTS (SELECT 1 FROM segmentMembership JOIN segment ON segment.id = segmentMembership.segmentId
                WHERE segmentMembership.customerId = customer.id AND segmentMembership.exitedAt IS NULL
                AND segment.name = \(bind(name)))
                """
        case .all(let conditions):
            return conditions.isEmpty ? "1" : "(" + conditions.map { predicate($0) }.joined(separator: " AND ") + ")"
        case .any(let conditions):
            return conditions.isEmpty ? "0" : "(" + conditions.map { predicate($0) }.joined(separator: " OR ") + ")"
        case .not(let condition):
            return "(NOT \(predicate(condition)))"
        }
    }

    /// A comparison of a value whose JSON type (`json_type` names: text, integer, real, true, false,
    /// null, array, object) and SQL value are given as expressions; 0 or 1, never NULL.
    mutating func test(_ comparison: Comparison, type: String, value: String) -> String {
        let values = comparison.values
        let sql: String
        switch comparison.op {
        case .exists:
            sql = "\(type) <> 'null'"
        case .ne:
            sql =
                "\(type) IN ('text', 'integer', 'real', 'true', 'false') AND NOT \(ordered(.eq, values[0], type, value))"
        case .in:
            sql = "(" + values.map { ordered(.eq, $0, type, value) }.joined(separator: " OR ") + ")"
        case .between:
            sql = "\(ordered(.ge, values[0], type, value)) AND \(ordered(.le, values[1], type, value))"
        case .contains:
            sql = "\(type) = 'text' AND instr(\(value), \(bind(text(values[0])))) > 0"
        case .startsWith:
            sql = "\(type) = 'text' AND instr(\(value), \(bind(text(values[0])))) = 1"
        case .regex:
            sql = "\(type) = 'text' AND patron_regexp(\(value), \(bind(text(values[0]))))"
        case .eq, .lt, .le, .gt, .ge:
            sql = ordered(comparison.op, values[0], type, value)
        }
        return "coalesce(\(sql), 0)"
    }

    /// An ordering comparison with one value of a kind: the SQL value must be of the same kind.
    mutating func ordered(_ op: ComparisonOperator, _ operand: SegmentValue, _ type: String, _ value: String) -> String
    {
        let sql: String
        switch operand {
        case .string(let text):
            sql = "(\(type) = 'text' AND \(value) \(op.sqlOperator) \(bind(text)))"
        case .number(let number):
            sql = "(\(type) IN ('integer', 'real') AND \(value) \(op.sqlOperator) \(bind(number)))"
        case .bool(let flag):
            sql = "(\(type) IN ('true', 'false') AND \(value) \(op.sqlOperator) \(bind(flag ? 1 : 0)))"
        case .relativeTime(let time):
            let instant = bind(time.milliseconds(now: now))
            sql = "(\(type) = 'text' AND coalesce(patron_time_ms(\(value)) \(op.sqlOperator) \(instant), 0))"
        }
        return "coalesce(\(sql), 0)"
    }

    func text(_ value: SegmentValue) -> String {
        if case .string(let text) = value { return text }
        return ""
    }

    /// The events of one name of the customer up to `latest` (`nil`: whatever their time), after an
    /// optional window start.
    mutating func events(_ alias: String, named name: String, inLast: SegmentDuration?, latest: Int64?) -> String {
        var sql = """
            \(alias).customerId = customer.id AND \(alias).type = 'track' AND \(alias).name = \(bind(name))
            """
        if let latest { sql += " AND \(alias).timestamp <= \(bindTime(latest))" }
        if let inLast { sql += " AND \(alias).timestamp >= \(bindTime(now - inLast.milliseconds))" }
        return sql
    }

    // Event subqueries name the index by customer: SQLite has no statistics here, and the index of
    // track events by time (for the scheduled refresh) must never be chosen for one customer's events.
    mutating func eventCount(_ condition: EventCountCondition) -> String {
        // Without a window every event counts, a future-dated one too; a window ends now.
        let filter = events(
            "counted",
            named: condition.name,
            inLast: condition.inLast,
            latest: condition.inLast == nil ? nil : now
        )
        return
            "((SELECT count(*) FROM event AS counted INDEXED BY eventByCustomer WHERE \(filter)) \(condition.op.sqlOperator) \(bind(condition.count)))"
    }

    mutating func eventSequence(_ condition: EventSequenceCondition) -> String {
        let within = condition.within.milliseconds
        let first = events(
            "earlier",
            named: condition.name,
            inLast: condition.inLast,
            latest: condition.isFollowed ? now : now - within
        )
        let next = events("later", named: condition.next, inLast: nil, latest: now)
        // Whole seconds added to a stored time, written back in the stored format (`%f` is SS.SSS).
        let gap =
            "later.timestamp <= strftime('%Y-%m-%d %H:%M:%f', earlier.timestamp, \(bind("+\(within / 1000) seconds")))"
        return """
            EXISTS (SELECT 1 FROM event AS earlier INDEXED BY eventByCustomer WHERE \(first) AND \(condition.isFollowed ? "" : "NOT ")EXISTS
            (SELECT 1 FROM event AS later INDEXED BY eventByCustomer WHERE \(next) AND later.id <> earlier.id
            AND later.timestamp >= earlier.timestamp AND \(gap)))
            """
    }
}
