/// A sample of customers as customer-id ranges: 64 equal slices spread over the id range, each read
/// by an index range scan. Ids follow first appearance, so every period of acquisition is
/// represented, and the same store gives the same sample.
enum CustomerSample {
    /// Slices per sample.
    static let slices: Int64 = 64

    /// Ranges holding about `target` of the customers whose ids span `lowest…highest` (`count` of
    /// them); `nil` when there are no more than `target` customers.
    static func ranges(lowest: Int64, highest: Int64, count: Int, target: Int) -> [ClosedRange<Int64>]? {
        guard target > 0, count > target, highest >= lowest else { return nil }
        let step = Swift.max(1, (highest - lowest + slices) / slices)  // ⌈span / slices⌉: at most 64 slices
        let width = Swift.max(1, Int64((Double(step) * Double(target) / Double(count)).rounded()))
        return stride(from: lowest, through: highest, by: Int(step)).map { $0...($0 + width - 1) }
    }

    /// Ranges holding about `target` of `ids`; `nil` when there are no more than `target`.
    static func ranges(ids: [Int64], target: Int) -> [ClosedRange<Int64>]? {
        guard let lowest = ids.min(), let highest = ids.max() else { return nil }
        return ranges(lowest: lowest, highest: highest, count: ids.count, target: target)
    }
}
