import Foundation
import PatronCore
import Testing

@testable import PatronStorage

/// ``ImportedTransactionBatch`` groups rows by customer as they are appended.
struct ImportedTransactionBatchTests {
    @Test func rowsAreGroupedByCustomerWithTheirDateRanges() {
        let rows = [("a", 5, "o1"), ("b", 3, "o2"), ("a", 2, "o3"), ("a", 9, "o4")].map { customer, day, order in
            ImportedTransaction(
                customer: .userId(customer),
                orderId: order,
                timestamp: TransactionImportTests.day(day),
                amount: 1,
                currency: "EUR"
            )
        }
        let batch = ImportedTransactionBatch(rows)
        #expect(batch.count == 4)
        #expect(batch.customers == [.userId("a"), .userId("b")])
        #expect(batch.earliest == [TransactionImportTests.day(2), TransactionImportTests.day(3)])
        #expect(batch.latest == [TransactionImportTests.day(9), TransactionImportTests.day(3)])
        #expect(batch.rows.map(\.slot) == [0, 1, 0, 0])
        #expect(batch.rows.map(\.orderId) == ["o1", "o2", "o3", "o4"])
        #expect(batch.rows[3].storedTimestamp == SQLDate.text(TransactionImportTests.day(9)))
    }
}
