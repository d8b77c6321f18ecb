/// The log restart's last checkpoint pass, which runs in the writer's turn: every commit waits for
/// it (see ``SQLiteStore/runCheckpoints(every:restartingLogAt:onLogRestart:)``).
public struct LogRestartPass: Sendable {
    /// How long the pass held the writer: copying the log's last pages and syncing the log and the
    /// database file.
    public var duration: Duration
    /// The log pages it copied: those committed since the checkpointer's pass before it.
    public var pages: Int

    /// Creates a pass's record.
    public init(duration: Duration, pages: Int) {
        self.duration = duration
        self.pages = pages
    }
}
