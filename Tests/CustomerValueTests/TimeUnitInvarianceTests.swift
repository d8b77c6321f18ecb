import CustomerValue
import Testing

/// Fitting the same CDNOW log in days and in weeks gives the same customers' P(alive) and expected
/// purchases (tolerance 1e-6: both are fitted to ‖∇‖ < 1e-10), α and β scale by 7, and the LLs differ by
/// exactly Σx · log 7 (densities of purchase times change with the unit).
struct TimeUnitInvarianceTests {
    @Test func fitsInDaysAndWeeksAgree() throws {
        let weeks = try RFMSummaryTests.cdnowSummary(.weeks)
        let days = try RFMSummaryTests.cdnowSummary(.days)
        let weekly = try BetaGeometricNBD.fit(weeks.histories)
        let daily = try BetaGeometricNBD.fit(days.histories)
        expectClose(daily.model.alpha, 7 * weekly.model.alpha, relativeTolerance: 1e-6)
        expectClose(daily.model.r, weekly.model.r, relativeTolerance: 1e-6)
        expectClose(weekly.logLikelihood - daily.logLikelihood, 2457 * 1.945910149055313305105, relativeTolerance: 1e-8)
        let weeklyPareto = try ParetoNBD.fit(weeks.histories).model
        let dailyPareto = try ParetoNBD.fit(days.histories).model
        for (week, day) in zip(weeks.customers, days.customers).prefix(300) {
            expectClose(
                daily.model.probabilityAlive(day.history),
                weekly.model.probabilityAlive(week.history),
                relativeTolerance: 1e-6
            )
            expectClose(
                dailyPareto.probabilityAlive(day.history),
                weeklyPareto.probabilityAlive(week.history),
                relativeTolerance: 1e-6
            )
            expectClose(
                daily.model.expectedPurchases(during: 364, given: day.history),
                weekly.model.expectedPurchases(during: 52, given: week.history),
                relativeTolerance: 1e-6
            )
        }
    }
}
