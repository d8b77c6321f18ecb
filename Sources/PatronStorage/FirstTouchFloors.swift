import GRDB

/// What committed processing steps know of customers' stored first touches, kept from one step to
/// the next: for each customer they recorded an event for, a touch that its stored acquisition is
/// at least as good as. A later event whose touch cannot beat that floor (not a marketing touch
/// where the floor is one, or not earlier) would leave the acquisition as it is, so its upsert is
/// skipped: for a returning customer, most events' (BENCHMARKS.md §5).
///
/// A stored first touch only ever improves (``CustomerRecorder/keepFirstTouch``, from events,
/// merges and imports alike), except when a split rebuilds a customer; every split, by any process,
/// writes an `identityAudit` entry. So the floors are forgotten when a merge or a split was
/// audited since they were learnt (``validate(_:)``, ``IdentityAuditStamp``), as
/// ``KnownIdentities`` are, and they join only once their step has committed.
struct FirstTouchFloors {
    /// A first touch, ordered as the acquisition upsert orders them.
    struct Touch {
        /// A page, screen, campaign or referrer touch (any other event is a direct one).
        let isMarketing: Bool
        /// When, as stored (`SQLDate` text, which orders as time does).
        let at: String

        /// Whether the upsert replaces `other` with this touch: a marketing touch beats a direct
        /// one, and between two of a kind the earlier wins.
        func beats(_ other: Touch) -> Bool {
            isMarketing != other.isMarketing ? isMarketing : at < other.at
        }
    }

    private var floors: [Int64: Touch] = [:]
    /// The identity audit entry the floors were learnt under.
    private var stamp = IdentityAuditStamp()

    /// The most customers kept (about 60 bytes each): beyond this, everything is forgotten and
    /// learnt again.
    static let capacity = 500_000

    /// Forgets every floor if a merge or a split was audited in `db` since they were learnt.
    mutating func validate(_ db: Database) throws {
        if try !stamp.isCurrent(db) { floors.removeAll() }
    }

    /// Whether `customer`'s stored first touch is known to be at least as good as `touch`.
    func cannotBeBeaten(by touch: Touch, customer: Int64) -> Bool {
        guard let floor = floors[customer] else { return false }
        return !touch.beats(floor)
    }

    /// Notes that `customer`'s stored first touch is now at least as good as `touch` (its upsert ran).
    mutating func note(_ touch: Touch, customer: Int64) {
        if let floor = floors[customer], !touch.beats(floor) { return }
        if floors.count >= Self.capacity { floors.removeAll() }
        floors[customer] = touch
    }

    /// Records the last identity audit entry in `db` (inside the step's transaction, after its
    /// merges) as the one the floors hold under.
    mutating func renewStamp(_ db: Database) throws {
        try stamp.renew(db)
    }
}
