import Foundation
import PatronCore
import PatronStorage
import Testing

/// CRM customer imports (`importCustomers`) keep the identity graph's safeguards.
struct CustomerImportTests {
    let store: SQLiteStore

    init() throws {
        store = try SQLiteStore(path: EventIndexTests.temporaryPath())
    }

    func row(_ ids: Identifier...) -> ImportedCustomer {
        ImportedCustomer(identifiers: ids, traits: [:])
    }

    func ids(of anyId: String) async throws -> Set<String> {
        let customer = try #require(try await store.customerId(anyId: anyId))
        return Set(try #require(try await store.customer(id: customer)).identifiers.map(\.description))
    }

    /// A customer found by email who holds a user id does not get a second one from a CRM row; the
    /// refusal is counted and audited as a conflict, and the same row with the user id it holds
    /// changes nothing.
    @Test func aCustomerNeverGetsASecondUserId() async throws {
        let email = Identifier(kind: Identifier.emailKind, value: "ann@example.com")
        _ = try await store.importCustomers([row(email, .userId("u1"))], asOf: Date())
        let outcome = try await store.importCustomers([row(email, .userId("u2"))], asOf: Date())
        #expect(outcome.conflicts == 1)
        #expect(outcome.alreadyPresent == 1)
        #expect(try await ids(of: "ann@example.com") == ["email:ann@example.com", "user_id:u1"])
        #expect(try await store.customerId(anyId: "u2") == nil, "the second user id is linked to nobody")
        let customer = try #require(try await store.customerId(anyId: "u1"))
        let conflicts = try await store.identityAudit(customer: customer).filter { $0.action == "conflict" }
        #expect(conflicts.count == 1)
        #expect(conflicts.first?.reason.contains("has user id u1") == true)
        let again = try await store.importCustomers([row(email, .userId("u1"))], asOf: Date())
        #expect(again.conflicts == 0 && again.alreadyPresent == 1)
    }

    /// Within one import, a user id linked by an earlier row counts: a later row of the same
    /// customer with another user id is a conflict.
    @Test func aUserIdLinkedEarlierInTheSameImportCounts() async throws {
        let email = Identifier(kind: Identifier.emailKind, value: "bob@example.com")
        let outcome = try await store.importCustomers(
            [row(email), row(email, .userId("b1")), row(email, .userId("b2"))],
            asOf: Date()
        )
        #expect(outcome.customersCreated == 1)
        #expect(outcome.conflicts == 1)
        #expect(try await ids(of: "bob@example.com") == ["email:bob@example.com", "user_id:b1"])
    }

    /// Placeholder values never find or link a customer: they are counted and ignored, and a row
    /// with nothing else is left out.
    @Test func placeholderIdsAreIgnored() async throws {
        let placeholder = Identifier(kind: Identifier.emailKind, value: "null")
        let outcome = try await store.importCustomers(
            [row(placeholder), row(.userId("c1"), placeholder), row(.userId("undefined"), .userId("c2"))],
            asOf: Date()
        )
        #expect(outcome.placeholders == 3)
        #expect(outcome.customersCreated == 2)
        #expect(try await store.customerId(anyId: "null") == nil)
        #expect(try await ids(of: "c1") == ["user_id:c1"])
        #expect(try await ids(of: "c2") == ["user_id:c2"])
    }
}
