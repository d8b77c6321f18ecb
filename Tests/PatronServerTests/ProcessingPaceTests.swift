import PatronServer
import Testing

/// How processing paces itself against ingest once it is behind (`ProcessingPace`).
struct ProcessingPaceTests {
    let start = ContinuousClock.now

    /// With nothing measured, processing pauses to measure ingest's pace alone, for one step's
    /// duration within 20–60 ms, of which the second half measures; a measurement holds for a second.
    @Test func pausesToMeasureWhenNothingIsMeasured() {
        var pace = ProcessingPace()
        #expect(pace.pause(afterStepOf: 200, took: .milliseconds(30), at: start) == .milliseconds(30))
        #expect(pace.pause(afterStepOf: 200, took: .milliseconds(2), at: start) == .milliseconds(20))
        #expect(pace.pause(afterStepOf: 1000, took: .milliseconds(120), at: start) == .milliseconds(60))
        #expect(ProcessingPace.measuredPart(of: .milliseconds(60)) == .milliseconds(30))
        pace.notePause(stored: 100, lasting: .milliseconds(10), endedAt: start)  // 10,000 events/s
        // Processing at 200 events in 40 ms = 5,000 events/s: ingest is exactly twice as fast.
        #expect(pace.pause(afterStepOf: 200, took: .milliseconds(40), at: start + .milliseconds(999)) == nil)
        #expect(!pace.isBulkLoad, "a load twice processing's pace is caught up without pausing")
        #expect(
            pace.pause(afterStepOf: 200, took: .milliseconds(40), at: start + .seconds(1)) == .milliseconds(40),
            "a second later, measured again"
        )
    }

    /// A load more than twice processing's pace is a bulk load: processing pauses four times its
    /// step's duration, and measures during the pause; when the load slows down, it stops pausing.
    @Test func givesWayOnlyToABulkLoad() {
        var pace = ProcessingPace()
        pace.notePause(stored: 500, lasting: .milliseconds(10), endedAt: start)  // 50,000 events/s
        #expect(pace.pause(afterStepOf: 20, took: .milliseconds(2), at: start) == .milliseconds(20), "at least 20 ms")
        #expect(pace.pause(afterStepOf: 200, took: .milliseconds(20), at: start) == .milliseconds(80))
        #expect(pace.isBulkLoad, "10,000 events/s of processing against 50,000 of ingest")
        pace.notePause(stored: 1000, lasting: .milliseconds(80), endedAt: start + .milliseconds(100))
        #expect(pace.pause(afterStepOf: 200, took: .milliseconds(20), at: start + .milliseconds(120)) == nil)
        #expect(!pace.isBulkLoad, "12,500 events/s is not twice processing's 10,000")
        pace.notePause(stored: 500, lasting: .milliseconds(10), endedAt: start)
        _ = pace.pause(afterStepOf: 200, took: .milliseconds(20), at: start)
        pace.caughtUp()
        #expect(!pace.isBulkLoad, "caught up: no load left")
    }

    /// A pause of no duration measures nothing.
    @Test func anEmptyPauseMeasuresNothing() {
        var pace = ProcessingPace()
        pace.notePause(stored: 10, lasting: .zero, endedAt: start)
        #expect(pace.pause(afterStepOf: 200, took: .milliseconds(30), at: start) == .milliseconds(30))
    }
}
