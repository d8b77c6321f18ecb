import PatronServer
import Testing

/// How processing paces itself against ingest once it is behind (`ProcessingPace`).
struct ProcessingPaceTests {
    let start = ContinuousClock.now

    /// With nothing measured, processing pauses to measure the clients' pace, for one step's duration
    /// within 20–60 ms, of which the second half measures; a measurement holds for a second.
    @Test func pausesToMeasureWhenNothingIsMeasured() {
        var pace = ProcessingPace()
        #expect(pace.pause(afterStepTaking: .milliseconds(30), whileClientsSent: 300, at: start) == .milliseconds(30))
        #expect(pace.pause(afterStepTaking: .milliseconds(2), whileClientsSent: 20, at: start) == .milliseconds(20))
        #expect(pace.pause(afterStepTaking: .milliseconds(120), whileClientsSent: 0, at: start) == .milliseconds(60))
        #expect(ProcessingPace.measuredPart(of: .milliseconds(60)) == .milliseconds(30))
        pace.notePause(sent: 100, lasting: .milliseconds(10), endedAt: start)  // 10,000 events/s
        // While processing ran, clients sent 200 events in 40 ms = 5,000 events/s: exactly half.
        #expect(
            pace.pause(afterStepTaking: .milliseconds(40), whileClientsSent: 200, at: start + .milliseconds(999)) == nil
        )
        #expect(!pace.isBulkLoad, "clients that send twice as fast while processing pauses are not a bulk load")
        #expect(
            pace.pause(afterStepTaking: .milliseconds(40), whileClientsSent: 200, at: start + .seconds(1))
                == .milliseconds(40),
            "a second later, measured again"
        )
    }

    /// A steady stream is sent at the same pace whether processing runs or pauses: never a bulk load,
    /// however far behind processing is.
    @Test func aSteadyStreamIsNeverABulkLoad() {
        var pace = ProcessingPace()
        pace.notePause(sent: 300, lasting: .milliseconds(30), endedAt: start)  // 10,000 events/s
        for step in 1...9 {
            let now = start + .milliseconds(100 * step)
            #expect(pace.pause(afterStepTaking: .milliseconds(100), whileClientsSent: 1000, at: now) == nil)
            #expect(!pace.isBulkLoad)
        }
    }

    /// Clients that send more than twice as fast while processing pauses wait for its steps (a bulk
    /// load): processing pauses four times its step's duration, and measures during the pause; when
    /// they no longer speed up, it stops pausing.
    @Test func givesWayOnlyToABulkLoad() {
        var pace = ProcessingPace()
        pace.notePause(sent: 500, lasting: .milliseconds(10), endedAt: start)  // 50,000 events/s
        #expect(
            pace.pause(afterStepTaking: .milliseconds(2), whileClientsSent: 20, at: start) == .milliseconds(20),
            "at least 20 ms"
        )
        // Over both steps, 220 events in 22 ms: 10,000 events/s while processing runs.
        #expect(pace.pause(afterStepTaking: .milliseconds(20), whileClientsSent: 200, at: start) == .milliseconds(80))
        #expect(pace.isBulkLoad, "50,000 events/s while processing pauses against 10,000 while it runs")
        pace.notePause(sent: 1000, lasting: .milliseconds(80), endedAt: start + .milliseconds(100))
        #expect(
            pace.pause(afterStepTaking: .milliseconds(20), whileClientsSent: 200, at: start + .milliseconds(120)) == nil
        )
        #expect(!pace.isBulkLoad, "12,500 events/s is not twice 10,000")
        pace.notePause(sent: 500, lasting: .milliseconds(10), endedAt: start)
        _ = pace.pause(afterStepTaking: .milliseconds(20), whileClientsSent: 200, at: start)
        pace.caughtUp()
        #expect(!pace.isBulkLoad, "caught up: no load left")
    }

    /// A pause of no duration measures nothing.
    @Test func anEmptyPauseMeasuresNothing() {
        var pace = ProcessingPace()
        pace.notePause(sent: 10, lasting: .zero, endedAt: start)
        #expect(pace.pause(afterStepTaking: .milliseconds(30), whileClientsSent: 0, at: start) == .milliseconds(30))
    }
}
