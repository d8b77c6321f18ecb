/// How processing paces itself against ingest on the one SQLite writer once it is behind.
///
/// Processing gives way (pauses after each step) only to a **bulk load**: clients that, while
/// processing pauses, send events more than ``bulkLoadPace`` times as fast as while it runs. They wait
/// for each answer before they send more (an import, a backfill), so processing slows them down, and
/// acknowledging events comes first. A steady load (10,000 events/s of tracking) is sent at its own
/// pace whatever processing does, so processing takes the writer whenever it wants it, and the
/// backlog is caught up instead of growing for as long as the load lasts.
///
/// Events are counted when they are handed to ingest (``SQLiteStore/eventsSubmittedToIngest``), not
/// when they are stored: the requests queued while processing holds the writer are stored after its
/// step, which made a steady load look slowed down. The pace alone is measured in the second half of
/// a pause (the first brings the answers to the requests queued during the step); the pace while
/// processing runs over the steps since the last measuring pause. Comparing ingest with processing's own
/// pace instead had two stable states: once processing was fast enough to take the writer, a bulk
/// load slowed down to processing's pace and looked light (45,000 events/s were held to 11,000).
public struct ProcessingPace: Sendable {
    /// The clients' pace measured during the last pause (events per second), and when it ended.
    private var whilePausing: (eventsPerSecond: Double, measuredAt: ContinuousClock.Instant)?

    /// What clients sent during the steps since the last measuring pause, and how long they took (a
    /// second's worth: single steps are too short to tell a steady stream from clients that wait).
    private var duringSteps: (sent: Int, duration: Duration) = (0, .zero)

    /// Whether the last decision found a bulk load.
    public private(set) var isBulkLoad = false

    /// How many times faster clients must send while processing pauses than while it runs to be a
    /// bulk load.
    public static let bulkLoadPace = 2.0

    /// In a bulk load, the pause after a step, in multiples of the step's duration: processing then
    /// takes at most 1 / (1 + this) of the writer.
    public static let pauseToStepInBulkLoad = 4

    /// How long a measurement of the clients' pace while processing pauses holds; when it is older, the next decision pauses to
    /// measure again (once a second, a pause of one step's duration within ``measuringPause``).
    public static let measurementLifetime: Duration = .seconds(1)

    /// The shortest and longest pause that measures the clients' pace. Only its second half measures
    /// (``measuredPart(of:)``): the first one drains the requests queued during the step before it,
    /// which would make a steady load look two or three times as fast as it is (at twice, 10,000
    /// events/s of tracking were then taken for a bulk load, and processing fell seconds behind).
    public static let measuringPause: ClosedRange<Duration> = .milliseconds(20) ... .milliseconds(60)

    /// The part of a pause of `duration` during which the clients' pace is measured: its second half.
    public static func measuredPart(of duration: Duration) -> Duration { duration / 2 }

    /// Pacing with nothing measured yet.
    public init() {}

    /// The pause after a full step that took `duration` (reading, recording, segments, triggers),
    /// while clients sent `sent` events, and left processing behind, or `nil` to go on at once: a
    /// pause in a bulk load, a short pause to measure the clients' pace when the last measurement is
    /// older than ``measurementLifetime``, none otherwise.
    public mutating func pause(
        afterStepTaking duration: Duration,
        whileClientsSent sent: Int,
        at now: ContinuousClock.Instant
    )
        -> Duration?
    {
        duringSteps.sent += sent
        duringSteps.duration += duration
        guard let whilePausing, now - whilePausing.measuredAt < Self.measurementLifetime else {
            duringSteps = (0, .zero)
            return min(max(duration, Self.measuringPause.lowerBound), Self.measuringPause.upperBound)
        }
        let whileRunning = Double(duringSteps.sent) / max(duringSteps.duration / .seconds(1), 1e-6)
        isBulkLoad = whilePausing.eventsPerSecond > Self.bulkLoadPace * whileRunning
        guard isBulkLoad else { return nil }
        return max(duration * Self.pauseToStepInBulkLoad, Self.measuringPause.lowerBound)
    }

    /// Notes that clients sent `sent` events during the measured part (of `duration`) of a pause that
    /// ended at `now`.
    public mutating func notePause(sent: Int, lasting duration: Duration, endedAt now: ContinuousClock.Instant) {
        guard duration > .zero else { return }
        whilePausing = (Double(sent) / (duration / .seconds(1)), now)
    }

    /// Forgets the bulk load: processing is no longer behind.
    public mutating func caughtUp() {
        isBulkLoad = false
    }
}
