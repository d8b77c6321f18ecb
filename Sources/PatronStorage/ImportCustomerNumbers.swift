import PatronCore

/// Small numbers for the customer ids that transaction imports bind, so that the writer finds what
/// ``ImportMemory`` remembers about a customer by position instead of by hashing its id: a large
/// import numbers each batch on the thread that parses the file (see
/// ``SQLiteStore/numberCustomers(of:)``), and the writer, the bottleneck of an import, looked up a
/// million ids per ten batches in a dictionary (4 s of a 10 M-row import, BENCHMARKS.md §3).
///
/// Numbers are given once and never change within a ``session``; past ``capacity`` ids a new
/// session starts (and the memory, seeing it, forgets), so memory stays bounded whatever the files.
struct ImportCustomerNumbers {
    /// The most ids numbered in one session.
    let capacity: Int
    /// Identifies the numbering; a new one after ``capacity`` ids.
    private(set) var session = 1
    private var numbers: [Identifier: Int] = [:]

    init(capacity: Int = 2_000_000) { self.capacity = capacity }

    /// The number of each id, in order, numbering the new ones; a new session first when they would
    /// not all fit in this one.
    mutating func number(_ customers: [Identifier]) -> (session: Int, numbers: [Int]) {
        if numbers.count + customers.count > capacity {
            numbers.removeAll()
            session += 1
        }
        let assigned = customers.map { customer in
            if let known = numbers[customer] { return known }
            let next = numbers.count
            numbers[customer] = next
            return next
        }
        return (session, assigned)
    }
}
