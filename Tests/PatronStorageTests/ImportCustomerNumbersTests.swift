import PatronCore
import Testing

@testable import PatronStorage

/// ``ImportCustomerNumbers`` gives each id one number per session, and a new session past its capacity.
struct ImportCustomerNumbersTests {
    @Test func anIdKeepsItsNumberAcrossBatches() {
        var numbering = ImportCustomerNumbers()
        let first = numbering.number([.userId("a"), .userId("b")])
        let second = numbering.number([.userId("c"), .userId("a"), Identifier(kind: Identifier.emailKind, value: "a")])
        #expect(first.numbers == [0, 1])
        #expect(second.numbers == [2, 0, 3])
        #expect(first.session == second.session)
    }

    @Test func aBatchThatWouldNotFitStartsANewSession() {
        var numbering = ImportCustomerNumbers(capacity: 3)
        let first = numbering.number([.userId("a"), .userId("b")])
        let second = numbering.number([.userId("b"), .userId("c")])
        #expect(second.session == first.session + 1)
        #expect(second.numbers == [0, 1], "numbered afresh in the new session")
    }
}
