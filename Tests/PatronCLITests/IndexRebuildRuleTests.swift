import Testing

@testable import PatronCLI

/// `patron import transactions --rebuild-index auto`: when dropping the per-customer index and
/// building it at the end pays.
struct IndexRebuildRuleTests {
    typealias Transactions = ImportCommand.Transactions

    @Test func aLargeNewFileRebuilds() {
        #expect(
            Transactions.rebuildPays(fileRows: 10_000_000, storedRows: 0, firstBatchRows: 100_000, firstBatchStored: 0)
        )
        #expect(
            Transactions.rebuildPays(
                fileRows: 2_000_000,
                storedRows: 4_000_000,
                firstBatchRows: 100_000,
                firstBatchStored: 50_000
            )
        )
    }

    @Test func aSmallFileOrOneSmallNextToTheStoreKeepsTheIndex() {
        #expect(
            !Transactions.rebuildPays(fileRows: 999_999, storedRows: 0, firstBatchRows: 100_000, firstBatchStored: 0)
        )
        #expect(
            !Transactions.rebuildPays(
                fileRows: 1_000_000,
                storedRows: 2_000_004,
                firstBatchRows: 100_000,
                firstBatchStored: 0
            )
        )
    }

    /// A file imported before (or the rerun of an interrupted import) mostly adds nothing.
    @Test func aFileWhoseFirstBatchIsMostlyStoredKeepsTheIndex() {
        #expect(
            !Transactions.rebuildPays(
                fileRows: 10_000_000,
                storedRows: 10_000_000,
                firstBatchRows: 100_000,
                firstBatchStored: 100_000
            )
        )
        #expect(
            !Transactions.rebuildPays(
                fileRows: 10_000_000,
                storedRows: 5_000_000,
                firstBatchRows: 100_000,
                firstBatchStored: 50_001
            )
        )
    }
}
