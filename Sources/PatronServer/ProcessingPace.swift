/// How processing paces itself against ingest on the one SQLite writer once it has fallen behind.
///
/// Processing gives way (pauses after each step) only to a **bulk load**: ingest that, left alone,
/// stores events more than ``bulkLoadPace`` times as fast as processing processes them. Processing
/// cannot catch up with such a load whatever it does, and acknowledging events comes first. A
/// steady load it can nearly keep pace with (10,000 events/s of tracking) gets the writer whenever
/// processing wants it, so the backlog is caught up instead of growing for as long as the load lasts.
///
/// Ingest's pace is measured only while processing pauses, i.e. while processing does not hold the
/// writer, and after the requests queued during the step went through. The pace ingest reaches
/// while processing runs depends on how much of the writer processing takes, and a rule based on it
/// has two stable states: once processing takes the writer, ingest slows down, the load looks
/// light, and processing keeps the writer.
public struct ProcessingPace: Sendable {
    /// Ingest's pace measured during the last pause (events per second), and when the pause ended.
    private var ingestAlone: (eventsPerSecond: Double, measuredAt: ContinuousClock.Instant)?

    /// Whether the last decision found a bulk load.
    public private(set) var isBulkLoad = false

    /// How many times faster than processing ingest must store events, left alone, to be a bulk load.
    public static let bulkLoadPace = 2.0

    /// In a bulk load, the pause after a step, in multiples of the step's duration: processing then
    /// takes at most 1 / (1 + this) of the writer.
    public static let pauseToStepInBulkLoad = 4

    /// How long a measurement of ingest's pace holds; when it is older, the next decision pauses to
    /// measure again (once a second, a pause of one step's duration within ``measuringPause``).
    public static let measurementLifetime: Duration = .seconds(1)

    /// The shortest and longest pause that measures ingest's pace. Only its second half measures
    /// (``measuredPart(of:)``): the first one drains the requests queued during the step before it,
    /// which would make a steady load look two or three times as fast as it is (at twice, 10,000
    /// events/s of tracking were then taken for a bulk load, and processing fell seconds behind).
    public static let measuringPause: ClosedRange<Duration> = .milliseconds(20) ... .milliseconds(60)

    /// The part of a pause of `duration` during which ingest's pace is measured: its second half.
    public static func measuredPart(of duration: Duration) -> Duration { duration / 2 }

    /// Pacing with nothing measured yet.
    public init() {}

    /// The pause after a full step of `events` events that took `duration` (reading, recording,
    /// segments, triggers) and left processing behind, or `nil` to go on at once: a pause in a bulk
    /// load, a short pause to measure ingest's pace when the last measurement is older than
    /// ``measurementLifetime``, none otherwise.
    public mutating func pause(
        afterStepOf events: Int,
        took duration: Duration,
        at now: ContinuousClock.Instant
    )
        -> Duration?
    {
        guard let ingestAlone, now - ingestAlone.measuredAt < Self.measurementLifetime else {
            return min(max(duration, Self.measuringPause.lowerBound), Self.measuringPause.upperBound)
        }
        let processingPace = Double(events) / max(duration / .seconds(1), 1e-6)
        isBulkLoad = ingestAlone.eventsPerSecond > Self.bulkLoadPace * processingPace
        guard isBulkLoad else { return nil }
        return max(duration * Self.pauseToStepInBulkLoad, Self.measuringPause.lowerBound)
    }

    /// Notes that ingest stored `stored` events during the measured part (of `duration`) of a pause
    /// that ended at `now`.
    public mutating func notePause(stored: Int, lasting duration: Duration, endedAt now: ContinuousClock.Instant) {
        guard duration > .zero else { return }
        ingestAlone = (Double(stored) / (duration / .seconds(1)), now)
    }

    /// Forgets the bulk load: processing is no longer behind.
    public mutating func caughtUp() {
        isBulkLoad = false
    }
}
