import PatronStorage
import Testing

/// The time and pattern functions both engines share.
struct SegmentSQLFunctionsTests {
    static let may1: Int64 = 1_746_057_600_000

    @Test(
        arguments: [
            ("2025-05-01", may1),
            ("2025-05-01T00:00:00Z", may1),
            ("2025-05-01 00:00:00.000", may1),
            ("2025-05-01T12:30:15.123456789Z", may1 + 45_015_123),
            ("2025-05-01T02:00:00+02:00", may1),
            ("2025-04-30T23:00:00-01:00", may1),
            ("2025-05-01T00:00:00.5z", may1 + 500),
        ] as [(String, Int64)]
    )
    func timesReadAsMilliseconds(text: String, milliseconds: Int64) {
        #expect(SegmentSQLFunctions.milliseconds(ofTime: text) == milliseconds)
    }

    @Test(arguments: [
        "", "2025-02-30", "2025-05-01T24:00:00Z", "2025-05-01T", "2025-05-01Z", "not a date",
        "2025-05-01T00:00:00+0200",
    ])
    func invalidTimesAreNil(text: String) {
        #expect(SegmentSQLFunctions.milliseconds(ofTime: text) == nil)
    }

    @Test func storedTextIsTheStoreFormat() {
        #expect(SegmentSQLFunctions.storedText(milliseconds: Self.may1 + 45_015_123) == "2025-05-01 12:30:15.123")
        #expect(SegmentSQLFunctions.storedText(milliseconds: -1) == "1969-12-31 23:59:59.999")
    }

    @Test func patternsMatchAnywhereAndInvalidOnesNever() {
        #expect(SegmentSQLFunctions.matches("pro-annual", pattern: "ann"))
        #expect(!SegmentSQLFunctions.matches("pro-annual", pattern: "^ann"))
        #expect(!SegmentSQLFunctions.matches("([", pattern: "(["))
        #expect(!SegmentSQLFunctions.isValidPattern("(["))
    }
}
