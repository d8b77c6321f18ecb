import CustomerValue
import Testing

struct RFMSummaryTests {
    /// The CDNOW sample log: `master id, sample id, YYYYMMDD, CDs, dollars`.
    static func cdnowTransactions() throws -> [Transaction] {
        try Fixtures.lines("CDNOW_sample.txt").map { line in
            let fields = line.split(separator: " ")
            let date = Int(fields[2])!
            return Transaction(
                customerID: String(Int(fields[1])!),
                date: CalendarDate(year: date / 10000, month: date / 100 % 100, day: date % 100)!,
                amount: Double(fields[4])!
            )
        }
    }

    static func cdnowSummary(_ unit: TimeUnit = .weeks) throws -> RFMSummary {
        try RFMSummary(
            transactions: cdnowTransactions(),
            calibrationEnd: CalendarDate(year: 1997, month: 9, day: 30),
            observationEnd: CalendarDate(year: 1998, month: 6, day: 30),
            timeUnit: unit
        )
    }

    @Test func cdnowSampleReproducesThePublishedSummary() throws {
        let summary = try Self.cdnowSummary()
        #expect(summary.customers.count == 2357)
        #expect(summary.customers.reduce(0) { $0 + $1.history.frequency } == 2457)
        #expect(summary.customers.filter { $0.history.frequency == 0 }.count == 1411)
        #expect(summary.histories.rows.count == 1016)
        #expect(summary.customers.reduce(0) { $0 + $1.holdoutFrequency } == 1882)
        let published = try Fixtures.cdnow()
        for (ours, theirs) in zip(summary.customers, published) {
            #expect(ours.customerID == theirs.id)
            #expect(ours.history.frequency == theirs.history.frequency)
            expectClose(ours.history.recency, theirs.history.recency, absoluteTolerance: 0.005 + 1e-9)
            expectClose(ours.history.age, theirs.history.age, absoluteTolerance: 0.005 + 1e-9)
            expectClose(ours.monetaryValue, theirs.meanSpend, absoluteTolerance: 0.005 + 1e-9)
        }
    }

    @Test func sameDayPurchasesMergeAndFirstPurchaseIsExcluded() throws {
        let day = { (d: Int) in CalendarDate(year: 2024, month: 1, day: d)! }
        let summary = try RFMSummary(
            transactions: [
                Transaction(customerID: "a", date: day(1), amount: 10),
                Transaction(customerID: "a", date: day(8), amount: 5),
                Transaction(customerID: "a", date: day(8), amount: 7),
                Transaction(customerID: "a", date: day(15), amount: 20),
                Transaction(customerID: "a", date: day(29), amount: 99),
                Transaction(customerID: "b", date: day(22), amount: 3),
            ],
            calibrationEnd: day(22),
            observationEnd: day(31),
            timeUnit: .weeks
        )
        let a = summary.customers[0]
        #expect(a.history == PurchaseHistory(frequency: 2, recency: 2, age: 3))
        #expect(a.monetaryValue == 16)
        #expect(a.calibrationRevenue == 42)
        #expect(a.holdoutFrequency == 1)
        #expect(a.holdoutMonetaryValue == 99)
        #expect(summary.customers[1].history == PurchaseHistory(frequency: 0, recency: 0, age: 0))
        #expect(summary.histories.customerCount == 1, "T = 0 customers are left out of the fit")
    }

    @Test func negativeAmountsAndEmptyLogsAreRejected() {
        #expect(throws: CustomerValueError.self) {
            try RFMSummary(transactions: [Transaction(customerID: "a", date: CalendarDate(dayNumber: 0), amount: -1)])
        }
        #expect(throws: CustomerValueError.self) { try RFMSummary(transactions: []) }
    }

    @Test func calendarDatesRoundTrip() {
        #expect(CalendarDate(year: 1970, month: 1, day: 1)?.dayNumber == 0)
        #expect(CalendarDate(year: 2000, month: 3, day: 1)?.dayNumber == 11017)
        #expect(CalendarDate(year: 2023, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2024, month: 2, day: 29)?.description == "2024-02-29")
        for dayNumber in stride(from: -800_000, to: 800_000, by: 997) {
            let (y, m, d) = CalendarDate(dayNumber: dayNumber).components
            #expect(CalendarDate(year: y, month: m, day: d)?.dayNumber == dayNumber)
        }
    }

    @Test func exactTimesReproduceTheCLVToolsLogLikelihood() throws {
        let fit = try BetaGeometricNBD.fit(Self.cdnowSummary().histories)
        expectClose(fit.logLikelihood, -9582.429, absoluteTolerance: 1e-3, "CLVTools on exact CDNOW times")
    }
}
