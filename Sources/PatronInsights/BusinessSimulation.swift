import CustomerValue
import Foundation
import PatronCore
import PatronNumerics
public import PatronStorage

/// The true behaviour of one acquisition channel in a simulated business.
public struct SimulatedChannel: Sendable, Hashable, Codable {
    /// The channel's name, as acquisition channels are named.
    public var name: String
    /// Share of new customers.
    public var share: Double
    /// Multiplier of the purchase rate λ.
    public var purchaseRate: Double
    /// Multiplier of the dropout rate μ.
    public var dropoutRate: Double
    /// Multiplier of the spend per order.
    public var spend: Double
    /// Acquisition cost per customer (0 = unpaid channel).
    public var acquisitionCost: Double

    /// The default channel mix: paid channels that bring shorter-lived customers, email and
    /// referral customers who buy more often and stay longer.
    public static let defaults: [SimulatedChannel] = [
        SimulatedChannel(
            name: "paid search",
            share: 0.35,
            purchaseRate: 1.0,
            dropoutRate: 1.3,
            spend: 1.0,
            acquisitionCost: 40
        ),
        SimulatedChannel(
            name: "paid social",
            share: 0.2,
            purchaseRate: 0.8,
            dropoutRate: 1.6,
            spend: 0.8,
            acquisitionCost: 25
        ),
        SimulatedChannel(
            name: "email",
            share: 0.15,
            purchaseRate: 1.4,
            dropoutRate: 0.6,
            spend: 1.1,
            acquisitionCost: 8
        ),
        SimulatedChannel(
            name: "referral",
            share: 0.1,
            purchaseRate: 1.2,
            dropoutRate: 0.7,
            spend: 1.2,
            acquisitionCost: 15
        ),
        SimulatedChannel(
            name: "direct",
            share: 0.2,
            purchaseRate: 1.0,
            dropoutRate: 1.0,
            spend: 1.0,
            acquisitionCost: 0
        ),
    ]
}

/// A seeded multi-channel business written through the store's real paths: a first visit with the
/// channel's campaign (acquisition) and a `region` trait without effect, `Order Completed` events (Pareto/NBD purchase and dropout in
/// days, rates scaled per channel, more orders in November and December, Gamma-Gamma spend) and
/// monthly marketing spend = the channel's acquisition cost × customers it acquired.
public struct BusinessSimulation: Sendable {
    /// Customers to acquire.
    public var customers: Int
    /// Months simulated, from 2024-01-01.
    public var months: Int
    /// The random seed.
    public var seed: UInt64
    /// The channels.
    public var channels: [SimulatedChannel]

    /// Creates a simulation.
    public init(customers: Int, months: Int, seed: UInt64, channels: [SimulatedChannel] = SimulatedChannel.defaults) {
        self.customers = customers
        self.months = months
        self.seed = seed
        self.channels = channels
    }

    /// What was written.
    public struct Outcome: Sendable {
        /// Customers acquired.
        public var customers: Int
        /// Orders sent.
        public var orders: Int
        /// Spend rows written.
        public var spendRows: Int
        /// Customers acquired per channel.
        public var customersByChannel: [String: Int]
    }

    static let start = Date(timeIntervalSince1970: 1_704_067_200)  // 2024-01-01
    static let startDay = 19_723

    /// The days of the simulation (30.4375-day months).
    var days: Double { Double(months) * 30.4375 }

    /// Seasonality: the relative order rate of a day (November and December 1.5×).
    static func season(_ day: Int) -> Double {
        let month = CalendarMonth.of(day: startDay + day)
        return month == 11 || month == 12 ? 1.5 : 1
    }

    /// Runs the simulation into `store` (events are ingested and processed as the server would).
    public func run(
        into store: SQLiteStore,
        progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws
        -> Outcome
    {
        try await run(into: StoreBusinessSink(store: store), progress: progress)
    }

    /// Runs the simulation into `sink`: the store directly, or a running server over HTTP.
    public func run(
        into sink: some BusinessSink,
        progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws
        -> Outcome
    {
        var generator = SeededGenerator(seed: seed)
        var events: [String] = []
        var outcome = Outcome(customers: 0, orders: 0, spendRows: 0, customersByChannel: [:])
        var acquiredByMonth: [String: [Int: Int]] = [:]
        let cumulative = channels.reduce(into: [Double]()) { $0.append(($0.last ?? 0) + $1.share) }
        for index in 0..<customers {
            let pick = Double.random(in: 0..<(cumulative.last ?? 1), using: &generator)
            let channel = channels[cumulative.firstIndex { pick < $0 } ?? channels.count - 1]
            var acquired = 0
            repeat {
                acquired = Int(Double.random(in: 0..<days, using: &generator))
            } while Double.random(in: 0..<1.5, using: &generator) > Self.season(acquired)
            let id = "sim-\(index)"
            // A region that has no effect on behaviour: the drivers report must find none.
            let region = Self.regions[Int.random(in: 0..<Self.regions.count, using: &generator)]
            events.append(Self.visit(id: id, channel: channel.name, region: region, day: acquired, index: index))
            let rate = RandomVariates.gamma(shape: 0.9, rate: 40, using: &generator) * channel.purchaseRate
            let dropout = RandomVariates.gamma(shape: 0.8, rate: 200, using: &generator) * channel.dropoutRate
            let lifetime = RandomVariates.exponential(rate: dropout, using: &generator)
            let meanSpend = 1 / RandomVariates.gamma(shape: 4, rate: 120, using: &generator) * channel.spend
            var time = Double(acquired)
            var order = 0
            while time < min(days, Double(acquired) + lifetime) {
                let amount = RandomVariates.gamma(shape: 6, rate: 6 / meanSpend, using: &generator)
                events.append(Self.order(id: id, day: Int(time), index: index, order: order, amount: amount))
                order += 1
                // Thinning at 1.5× the base rate gives the seasonal rate.
                repeat {
                    time += RandomVariates.exponential(rate: rate * 1.5, using: &generator)
                } while time < days && Double.random(in: 0..<1.5, using: &generator) > Self.season(Int(time))
            }
            outcome.customers += 1
            outcome.orders += order
            outcome.customersByChannel[channel.name, default: 0] += 1
            acquiredByMonth[channel.name, default: [:]][
                CalendarMonth.index(day: Self.startDay + acquired),
                default: 0
            ] += 1
            if events.count >= 2_000 {
                try await sink.send(events)
                events.removeAll(keepingCapacity: true)
                progress(index + 1, customers)
            }
        }
        try await sink.send(events)
        try await sink.finishEvents()
        var spend: [SpendRow] = []
        for channel in channels where channel.acquisitionCost > 0 {
            for (month, count) in acquiredByMonth[channel.name] ?? [:] {
                spend.append(
                    SpendRow(
                        day: CalendarMonth.fifteenth(ofIndex: month),
                        channel: channel.name,
                        campaign: "simulated",
                        amount: channel.acquisitionCost * Double(count),
                        currency: "EUR"
                    )
                )
            }
        }
        outcome.spendRows = try await sink.importSpend(spend)
        progress(customers, customers)
        return outcome
    }

    static func timestamp(_ day: Int, hour: Int) -> String {
        SegmentTimestamp.format(start.addingTimeInterval(Double(day) * 86_400 + Double(hour) * 3600))
    }

    /// The regions customers are spread over evenly (a `region` trait without any effect).
    static let regions = ["north", "south", "east", "west"]

    static func visit(id: String, channel: String, region: String, day: Int, index: Int) -> String {
        let context: String
        switch channel {
        case "paid search": context = #""campaign":{"source":"google","medium":"cpc","name":"simulated"}"#
        case "paid social": context = #""campaign":{"source":"facebook","medium":"paid_social","name":"simulated"}"#
        case "email": context = #""campaign":{"source":"newsletter","medium":"email","name":"simulated"}"#
        case "referral": context = #""page":{"referrer":"https://blog.example.org/review"}"#
        default: context = #""page":{}"#
        }
        return
            #"{"type":"page","userId":"\#(id)","messageId":"visit-\#(index)","context":{\#(context),"traits":{"region":"\#(region)"}},"timestamp":"\#(timestamp(day, hour: 9))"}"#
    }

    static func order(id: String, day: Int, index: Int, order: Int, amount: Double) -> String {
        let revenue = (amount * 100).rounded() / 100
        return
            #"{"type":"track","userId":"\#(id)","event":"Order Completed","messageId":"order-\#(index)-\#(order)","properties":{"order_id":"sim-\#(index)-\#(order)","revenue":\#(revenue),"currency":"EUR"},"timestamp":"\#(timestamp(day, hour: 10))"}"#
    }
}

/// Calendar months of day numbers.
enum CalendarMonth {
    /// The month (1…12) of a day.
    static func of(day: Int) -> Int { CalendarDate(dayNumber: day).components.month }

    /// Months since year 0 of a day.
    static func index(day: Int) -> Int {
        let (year, month, _) = CalendarDate(dayNumber: day).components
        return year * 12 + month - 1
    }

    /// The 15th of month `index` as a day number.
    static func fifteenth(ofIndex index: Int) -> Int {
        CalendarDate(year: index / 12, month: index % 12 + 1, day: 15)!.dayNumber
    }
}
