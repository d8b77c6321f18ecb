public import PatronStorage

/// Return on marketing spend of one channel (all months, or one acquisition month).
public struct ChannelReturn: Sendable, Hashable, Codable {
    /// The channel.
    public var channel: String
    /// `YYYY-MM`, or `nil` for the channel's total.
    public var month: String?
    /// Spend.
    public var spend: Double
    /// Buying customers acquired (first touch in the channel).
    public var customers: Int
    /// Customer acquisition cost: spend / customers (`nil` without customers).
    public var acquisitionCost: Double?
    /// Revenue to date per acquired customer.
    public var revenuePerCustomer: Double?
    /// Predicted 3-year CLV per acquired customer (active model version).
    public var predictedValuePerCustomer: Double?
    /// LTV per customer = revenue to date + predicted 3-year CLV.
    public var lifetimeValuePerCustomer: Double?
    /// LTV : CAC (`nil` without spend or customers).
    public var lifetimeValueToCost: Double?
    /// Months from the acquisition month until revenue per customer covered the CAC (channel totals
    /// only; `nil` when not yet).
    public var paybackMonths: Int?
}

/// ROI per channel and acquisition month: customers acquired, CAC, predicted CLV, LTV:CAC, payback.
public struct ROIReport: Sendable, Hashable, Codable {
    /// How the figures are defined.
    public var conventions: String
    /// One row per channel (all months), highest LTV:CAC first.
    public var channels: [ChannelReturn]
    /// One row per channel and acquisition month.
    public var months: [ChannelReturn]

    /// The conventions sentence.
    public static let conventions =
        "Customers acquired = customers whose first touch (UTM medium/source, referrer) was in the channel and who "
        + "bought at least once; spend is matched by channel name and month; CAC = spend / customers acquired; "
        + "LTV = revenue to date (net of refunds) + predicted 3-year discounted CLV of the active model version; "
        + "payback = months from the acquisition month until cumulative revenue per customer reached the CAC; "
        + "amounts as recorded (no currency conversion)."

    /// Builds the report from the store.
    public static func build(store: SQLiteStore) async throws(InsightsError) -> ROIReport {
        try await InsightsError.wrapping {
            let rows = try await store.channelMonths()
            guard !rows.isEmpty else {
                throw InsightsError(
                    .insufficientData,
                    "no acquired customers and no spend yet: ingest events with campaigns and `patron import spend`"
                )
            }
            let revenueByOffset = try await store.channelRevenueByMonthsSinceAcquisition()
            let months = rows.map { row(channel: $0.channel, month: $0.month, [$0], payback: nil) }
            let channels = Dictionary(grouping: rows, by: \.channel).map { channel, group in
                let total = row(channel: channel, month: nil, group, payback: nil)
                return row(
                    channel: channel,
                    month: nil,
                    group,
                    payback: total.acquisitionCost.flatMap { cost in
                        payback(cost: cost, customers: total.customers, revenue: revenueByOffset[channel] ?? [:])
                    }
                )
            }
            .sorted { ($0.lifetimeValueToCost ?? -1, $1.channel) > ($1.lifetimeValueToCost ?? -1, $0.channel) }
            return ROIReport(conventions: conventions, channels: channels, months: months)
        }
    }

    static func row(channel: String, month: String?, _ group: [ChannelMonth], payback: Int?) -> ChannelReturn {
        let spend = group.reduce(0) { $0 + $1.spend }
        let customers = group.reduce(0) { $0 + $1.customers }
        let revenue = group.reduce(0) { $0 + $1.revenue }
        let predicted = group.reduce(0) { $0 + $1.predictedValue }
        let perCustomer = { (value: Double) in customers > 0 ? value / Double(customers) : nil }
        let cost = customers > 0 && spend > 0 ? spend / Double(customers) : nil
        let lifetime = perCustomer(revenue + predicted)
        return ChannelReturn(
            channel: channel,
            month: month,
            spend: spend,
            customers: customers,
            acquisitionCost: cost,
            revenuePerCustomer: perCustomer(revenue),
            predictedValuePerCustomer: perCustomer(predicted),
            lifetimeValuePerCustomer: lifetime,
            lifetimeValueToCost: cost.flatMap { cost in lifetime.map { $0 / cost } },
            paybackMonths: payback
        )
    }

    /// The first month offset at which cumulative revenue per customer reaches `cost`.
    static func payback(cost: Double, customers: Int, revenue: [Int: Double]) -> Int? {
        guard customers > 0, let last = revenue.keys.max() else { return nil }
        var cumulative = 0.0
        for offset in 0...last {
            cumulative += revenue[offset] ?? 0
            if cumulative / Double(customers) >= cost { return offset }
        }
        return nil
    }
}
