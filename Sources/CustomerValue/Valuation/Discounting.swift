import PatronNumerics
import RealModule

/// How future purchases are discounted in a CLV figure.
///
/// Both forms take a discount rate **per month** (the convention of lifetimes'
/// `customer_lifetime_value`, whose default is 0.01) and a month of 365.25/12 = 30.4375 days.
public enum Discounting: Sendable, Hashable, Codable {
    /// The monthly-discrete form users know from lifetimes: the horizon is cut into months and the
    /// purchases expected in month i are divided by (1 + d)ⁱ (the last month may be partial).
    case monthly(rate: Double)
    /// The continuous form (DERT, Fader, Hardie & Lee 2005, "RFM and CLV"): ∫₀ᴴ e^(−δt) dE[X(t)] with
    /// δ = log(1 + d) per month, the same rate compounded continuously.
    case continuous(monthlyRate: Double)

    /// The monthly discount rate d.
    public var monthlyRate: Double {
        switch self {
        case .monthly(let rate): rate
        case .continuous(let rate): rate
        }
    }

    /// A sentence stating the convention, for reports.
    public var summary: String {
        switch self {
        case .monthly(let rate): "discounted monthly at \(rate * 100) %/month (month = 30.4375 days)"
        case .continuous(let rate): "discounted continuously at log(1 + \(rate)) per month (month = 30.4375 days)"
        }
    }

    static let legendre = GaussLegendreRule(order: 24)

    /// The discounted number of purchases over (0, horizon] given the cumulative expectation
    /// `expected(t)` = E[X(T, T + t)], with time in `unit`.
    /// - Returns: for a zero rate, `expected(horizon)`.
    public func discountedPurchases(horizon: Double, unit: TimeUnit, expected: (Double) -> Double) -> Double {
        guard horizon > 0 else { return 0 }
        let month = unit.unitsPerMonth
        switch self {
        case .monthly(let rate):
            if rate == 0 { return expected(horizon) }
            var total = 0.0
            var previous = 0.0
            var index = 1
            while true {
                let end = Swift.min(Double(index) * month, horizon)
                let cumulative = expected(end)
                total += (cumulative - previous) / Double.pow(1 + rate, Double(index))
                previous = cumulative
                if end >= horizon { break }
                index += 1
            }
            return total
        case .continuous(let rate):
            if rate == 0 { return expected(horizon) }
            let delta = Double.log(onePlus: rate) / month
            // Integration by parts: ∫ e^(−δt) dE = e^(−δH) E(H) + δ ∫ e^(−δt) E(t) dt.
            let integral = Self.legendre.integrate(from: 0, to: horizon) { t in Double.exp(-delta * t) * expected(t) }
            return Double.exp(-delta * horizon) * expected(horizon) + delta * integral
        }
    }
}
