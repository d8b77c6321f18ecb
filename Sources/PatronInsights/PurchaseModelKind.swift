import CustomerValue

/// The purchase models the insight engine fits and scores with.
public enum PurchaseModelKind: String, Sendable, CaseIterable, Codable {
    /// BG/NBD (Fader, Hardie & Lee 2005).
    case bgnbd
    /// MBG/NBD (Batislam et al. 2007).
    case mbgnbd
    /// Pareto/NBD (Schmittlein, Morrison & Colombo 1987).
    case pnbd

    /// The kind named `identifier`.
    /// - Throws: ``InsightsError`` naming the known models.
    public init(identifier: String) throws(InsightsError) {
        guard let kind = Self(rawValue: identifier) else {
            throw InsightsError(
                .invalidOption,
                "unknown purchase model \(identifier); use one of \(Self.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        self = kind
    }

    /// The model with `parameters`.
    func model(parameters: [Double]) throws(CustomerValueError) -> any RepeatPurchaseModel {
        switch self {
        case .bgnbd: try BetaGeometricNBD(parameters: parameters)
        case .mbgnbd: try ModifiedBetaGeometricNBD(parameters: parameters)
        case .pnbd: try ParetoNBD(parameters: parameters)
        }
    }

    /// Fits the model on `groups` and judges it on their holdout purchases.
    func fit(groups: [HistoryGroupRow], unit: TimeUnit, holdoutDays: Int) throws(CustomerValueError) -> CandidateFit {
        switch self {
        case .bgnbd: try CandidateFit.fit(BetaGeometricNBD.self, groups: groups, unit: unit, holdoutDays: holdoutDays)
        case .mbgnbd:
            try CandidateFit.fit(ModifiedBetaGeometricNBD.self, groups: groups, unit: unit, holdoutDays: holdoutDays)
        case .pnbd: try CandidateFit.fit(ParetoNBD.self, groups: groups, unit: unit, holdoutDays: holdoutDays)
        }
    }
}
