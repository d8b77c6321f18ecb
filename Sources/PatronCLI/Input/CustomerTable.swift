import CustomerValue

/// Customers loaded from a summary or a transaction log, in file order.
struct CustomerTable {
    var source: String
    var ids: [String]
    var histories: [PurchaseHistory]
    /// Customers per row (1 unless the file has a count column).
    var counts: [Double]
    /// Mean repeat spend per row, when the data have money.
    var meanSpends: [Double]?
    var timeUnit: TimeUnit
    /// The RFM summary when loaded from transactions (holdout actuals, revenue).
    var rfm: RFMSummary?

    var customerCount: Double { counts.reduce(0, +) }

    var compressed: CompressedHistories {
        let kept = histories.indices.filter { histories[$0].age > 0 }
        return CompressedHistories(rows: kept.map { histories[$0] }, counts: kept.map { counts[$0] })
    }

    func spend() throws(InputError) -> CompressedSpend {
        guard let meanSpends else {
            throw InputError(
                file: source,
                "no spend in the data: add a monetary column (monetary_value, zbar) or use --transactions"
            )
        }
        var rows: [SpendHistory] = []
        for index in histories.indices where histories[index].frequency > 0 {
            let copies = Int(counts[index])
            let row = SpendHistory(frequency: histories[index].frequency, meanSpend: meanSpends[index])
            rows.append(contentsOf: repeatElement(row, count: copies))
        }
        do {
            return try CompressedSpend(rows)
        } catch {
            throw InputError(file: source, error.message)
        }
    }

    /// Loads a summary file with lifetimes' or CDNOW's column names (or mapped ones).
    static func loadSummary(_ options: InputOptions) throws(InputError) -> CustomerTable {
        let path = options.summary!
        var records = try CSVReader(path: path, delimiter: options.parsedDelimiter()).makeIterator()
        guard let headerRecord = records.next() else { throw InputError(file: path, "the file is empty") }
        let header = CSVHeader(path: path, names: headerRecord.fields)
        let idPosition =
            options.idColumn != nil
            ? try header.require(options.idColumn, or: [], role: "customer id")
            : header.position(ofAny: ["customer_id", "id", "customer", "customerid", "cust"])
        let frequency = try header.require(options.frequencyColumn, or: ["frequency", "x"], role: "frequency")
        let recency = try header.require(options.recencyColumn, or: ["recency", "t_x", "tx"], role: "recency")
        let age = try header.require(options.ageColumn, or: ["T", "age"], role: "T (age)")
        let monetary =
            options.monetaryColumn != nil
            ? try header.require(options.monetaryColumn, or: [], role: "monetary value")
            : header.position(ofAny: ["monetary_value", "zbar", "monetary", "mean_spend"])
        let count =
            options.countColumn != nil
            ? try header.require(options.countColumn, or: [], role: "count")
            : header.position(ofAny: ["weights", "count", "customers"])
        var table = CustomerTable(
            source: path,
            ids: [],
            histories: [],
            counts: [],
            meanSpends: monetary == nil ? nil : [],
            timeUnit: options.timeUnit,
            rfm: nil
        )
        while let record = records.next() {
            let x = try header.count(record, frequency)
            let tx = try header.nonNegative(record, recency)
            let big = try header.nonNegative(record, age)
            let history: PurchaseHistory
            do {
                history = try PurchaseHistory.validated(frequency: x, recency: tx, age: big)
            } catch {
                throw InputError(file: path, line: record.line, error.message)
            }
            table.ids.append(
                try idPosition.map { position throws(InputError) in try header.field(record, position) }
                    ?? String(record.line - 1)
            )
            table.histories.append(history)
            table.counts.append(
                try count.map { position throws(InputError) in Double(try header.count(record, position)) } ?? 1
            )
            if let monetary {
                let value = try header.nonNegative(record, monetary)
                if x > 0 && value == 0 {
                    throw InputError(
                        file: path,
                        line: record.line,
                        column: header.names[monetary],
                        "a customer with repeat purchases needs a monetary value > 0"
                    )
                }
                table.meanSpends?.append(value)
            }
        }
        guard !table.histories.isEmpty else { throw InputError(file: path, "the file has a header but no customers") }
        return table
    }

    /// Loads and summarises a transaction log.
    static func loadTransactions(_ options: InputOptions) throws(InputError) -> CustomerTable {
        let path = options.transactions!
        let format = try DateFormat(options.dateFormat)
        func date(_ text: String?, flag: String) throws(InputError) -> CalendarDate? {
            guard let text else { return nil }
            guard let date = format.parse(text) else {
                throw InputError("\(flag) '\(text)' does not match --date-format \(options.dateFormat)")
            }
            return date
        }
        let calibrationEnd = try date(options.calibrationEnd, flag: "--calibration-end")
        let observationEnd = try date(options.observationEnd, flag: "--observation-end")
        var records = try CSVReader(path: path, delimiter: options.parsedDelimiter()).makeIterator()
        guard let headerRecord = records.next() else { throw InputError(file: path, "the file is empty") }
        let header = CSVHeader(path: path, names: headerRecord.fields)
        let customer = try header.require(
            options.customerColumn,
            or: ["customer_id", "customer", "id", "customerid"],
            role: "customer id"
        )
        let dateColumn = try header.require(
            options.dateColumn,
            or: ["date", "order_date", "timestamp", "purchase_date"],
            role: "date"
        )
        let amount = try header.require(
            options.amountColumn,
            or: ["amount", "revenue", "value", "sales", "total"],
            role: "amount"
        )
        var transactions: [Transaction] = []
        while let record = records.next() {
            let id = try header.field(record, customer)
            guard !id.isEmpty else {
                throw InputError(
                    file: path,
                    line: record.line,
                    column: header.names[customer],
                    "the customer id is empty"
                )
            }
            let text = try header.field(record, dateColumn)
            guard let day = format.parse(text) else {
                throw InputError(
                    file: path,
                    line: record.line,
                    column: header.names[dateColumn],
                    "'\(text)' is not a date in the format \(options.dateFormat) (set --date-format)"
                )
            }
            transactions.append(Transaction(customerID: id, date: day, amount: try header.nonNegative(record, amount)))
        }
        guard !transactions.isEmpty else { throw InputError(file: path, "the file has a header but no transactions") }
        let summary: RFMSummary
        do {
            summary = try RFMSummary(
                transactions: transactions,
                calibrationEnd: calibrationEnd,
                observationEnd: observationEnd,
                timeUnit: options.timeUnit
            )
        } catch {
            throw InputError(file: path, error.message)
        }
        return CustomerTable(
            source: path,
            ids: summary.customers.map(\.customerID),
            histories: summary.customers.map(\.history),
            counts: Array(repeating: 1, count: summary.customers.count),
            meanSpends: summary.customers.map(\.monetaryValue),
            timeUnit: options.timeUnit,
            rfm: summary
        )
    }

    static func load(_ options: InputOptions) throws(InputError) -> CustomerTable {
        if options.summary != nil { return try loadSummary(options) }
        if options.transactions != nil { return try loadTransactions(options) }
        throw InputError("give the data with --summary FILE or --transactions FILE")
    }
}
