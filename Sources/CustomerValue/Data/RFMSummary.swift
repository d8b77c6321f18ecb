/// One purchase in a transaction log.
public struct Transaction: Sendable, Hashable {
    /// The customer's identifier.
    public var customerID: String
    /// The purchase date.
    public var date: CalendarDate
    /// The purchase value (≥ 0).
    public var amount: Double

    /// Creates a transaction.
    public init(customerID: String, date: CalendarDate, amount: Double) {
        self.customerID = customerID
        self.date = date
        self.amount = amount
    }
}

/// One customer's recency–frequency–monetary summary, with holdout actuals when a holdout period exists.
public struct CustomerSummary: Sendable, Hashable {
    /// The customer's identifier.
    public var customerID: String
    /// Date of the first purchase.
    public var firstPurchase: CalendarDate
    /// x, t_x and T in the summary's time unit (calibration period).
    public var history: PurchaseHistory
    /// Mean value of the repeat purchases in the calibration period (0 when x = 0).
    public var monetaryValue: Double
    /// Total value of all calibration purchases, including the first.
    public var calibrationRevenue: Double
    /// Purchase days in the holdout period.
    public var holdoutFrequency: Int
    /// Mean value of the holdout purchases (0 when there are none).
    public var holdoutMonetaryValue: Double

    /// The spend history for Gamma-Gamma.
    public var spend: SpendHistory { SpendHistory(frequency: history.frequency, meanSpend: monetaryValue) }
}

/// The RFM summaries of a transaction log, split into calibration and holdout periods.
///
/// Conventions (those of lifetimes and of Fader & Hardie's CDNOW analyses): purchases on the same
/// day are merged into one; the first purchase is not counted in x; t_x and T are measured from the
/// first purchase; the monetary value is the mean of the repeat purchases; only customers whose
/// first purchase is on or before the calibration end are included; the calibration end day belongs
/// to the calibration period.
public struct RFMSummary: Sendable {
    /// One summary per customer, in order of first appearance in the log.
    public var customers: [CustomerSummary]
    /// The unit of t_x and T.
    public var timeUnit: TimeUnit
    /// The last day of the calibration period.
    public var calibrationEnd: CalendarDate
    /// The last day of the observation (end of the holdout) period.
    public var observationEnd: CalendarDate

    /// The holdout length in the time unit (0 without a holdout).
    public var holdoutLength: Double {
        Double(observationEnd.dayNumber - calibrationEnd.dayNumber) / timeUnit.days
    }

    /// Summarises a transaction log.
    /// - Parameters:
    ///   - transactions: the log, in any order.
    ///   - calibrationEnd: last day of the calibration period (default: the last transaction's day).
    ///   - observationEnd: last day of the holdout period (default: the last transaction's day, or
    ///     `calibrationEnd` if later).
    ///   - timeUnit: the unit of t_x and T.
    /// - Throws: `.invalidData` for an empty log, a negative or non-finite amount, or an observation
    ///   end before the calibration end.
    public init(
        transactions: some Sequence<Transaction>,
        calibrationEnd: CalendarDate? = nil,
        observationEnd: CalendarDate? = nil,
        timeUnit: TimeUnit = .weeks
    ) throws(CustomerValueError) {
        var order: [String] = []
        var days: [String: [Int: Double]] = [:]
        var lastDay = Int.min
        for transaction in transactions {
            guard transaction.amount.isFinite, transaction.amount >= 0 else {
                throw CustomerValueError(
                    .invalidData,
                    "customer \(transaction.customerID) on \(transaction.date): amount must be ≥ 0, got \(transaction.amount)"
                )
            }
            if days[transaction.customerID] == nil { order.append(transaction.customerID) }
            days[transaction.customerID, default: [:]][transaction.date.dayNumber, default: 0] += transaction.amount
            lastDay = Swift.max(lastDay, transaction.date.dayNumber)
        }
        guard !order.isEmpty else { throw CustomerValueError(.invalidData, "the transaction log is empty") }
        let calibration = calibrationEnd ?? CalendarDate(dayNumber: lastDay)
        let observation = observationEnd ?? CalendarDate(dayNumber: Swift.max(lastDay, calibration.dayNumber))
        guard observation >= calibration else {
            throw CustomerValueError(
                .invalidData,
                "the observation end \(observation) is before the calibration end \(calibration)"
            )
        }
        var customers: [CustomerSummary] = []
        customers.reserveCapacity(order.count)
        for id in order {
            let purchases = days[id]!.sorted { $0.key < $1.key }
            guard let first = purchases.first, first.key <= calibration.dayNumber else { continue }
            var frequency = 0
            var last = first.key
            var repeatRevenue = 0.0
            var holdoutFrequency = 0
            var holdoutRevenue = 0.0
            for (day, amount) in purchases.dropFirst() {
                if day <= calibration.dayNumber {
                    frequency += 1
                    last = day
                    repeatRevenue += amount
                } else if day <= observation.dayNumber {
                    holdoutFrequency += 1
                    holdoutRevenue += amount
                }
            }
            customers.append(
                CustomerSummary(
                    customerID: id,
                    firstPurchase: CalendarDate(dayNumber: first.key),
                    history: PurchaseHistory(
                        frequency: frequency,
                        recency: Double(last - first.key) / timeUnit.days,
                        age: Double(calibration.dayNumber - first.key) / timeUnit.days
                    ),
                    monetaryValue: frequency > 0 ? repeatRevenue / Double(frequency) : 0,
                    calibrationRevenue: first.value + repeatRevenue,
                    holdoutFrequency: holdoutFrequency,
                    holdoutMonetaryValue: holdoutFrequency > 0 ? holdoutRevenue / Double(holdoutFrequency) : 0
                )
            )
        }
        self.customers = customers
        self.timeUnit = timeUnit
        self.calibrationEnd = calibration
        self.observationEnd = observation
    }

    /// The compressed histories for fitting. Customers whose first purchase is on the calibration
    /// end (T = 0) carry no information and are left out.
    public var histories: CompressedHistories {
        CompressedHistories(customers.lazy.filter { $0.history.age > 0 }.map(\.history))
    }

    /// The spend histories for Gamma-Gamma.
    public var spendHistories: [SpendHistory] { customers.map(\.spend) }
}
