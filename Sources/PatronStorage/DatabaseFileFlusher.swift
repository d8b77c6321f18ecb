import Dispatch
import Foundation
import Synchronization

/// Syncs the database file on a thread of its own, off the writer, so that the pages background
/// checkpoints copied into it are on disk before the log restart's last pass, which runs in the
/// writer's turn and syncs the file too: without these flushes that sync wrote every page copied
/// since the last restart while commits waited (1–61 ms at 10,000 events/s, BENCHMARKS.md §5).
/// ``flush()`` starts one without anyone waiting; ``flushAndWait()`` is the checkpointer's last
/// sync before the restart's pass.
///
/// A flush requested while one runs is dropped: the running one covers most of it, and the next
/// request comes a fraction of a log cycle later.
final class DatabaseFileFlusher: Sendable {
    /// The database file, opened read-only: syncing any descriptor of a file flushes its pages.
    private let file: FileHandle?
    private let isFlushing = Atomic<Bool>(false)
    private let finished = Atomic<Int>(0)
    private let failed = Atomic<Int>(0)
    private let queue = DispatchQueue(label: "patron.database-file-flush", qos: .utility)

    /// A flusher for the database file at `path` (one that does nothing when it cannot be opened).
    init(path: String) {
        file = FileHandle(forReadingAtPath: path)
    }

    deinit {
        try? file?.close()
    }

    /// Syncs finished so far, failed ones included.
    var finishedFlushes: Int { finished.load(ordering: .acquiring) }

    /// Syncs that failed so far. A failed sync changes nothing: the log restart's pass syncs the
    /// file and reports its errors.
    var failedFlushes: Int { failed.load(ordering: .acquiring) }

    /// Syncs the file, after the sync running if any, and returns once it is done (failed syncs
    /// are counted like those of ``flush()``).
    func flushAndWait() async {
        guard let file else { return }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            // The log restart waits for this one.
            queue.async(qos: .userInitiated) {
                self.synchronize(file)
                self.finished.add(1, ordering: .releasing)
                done.resume()
            }
        }
    }

    /// Starts a sync of the file unless one is running or the file could not be opened; returns at
    /// once, with whether it started one.
    @discardableResult
    func flush() -> Bool {
        guard let file, isFlushing.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else { return false }
        queue.async {
            self.synchronize(file)
            self.isFlushing.store(false, ordering: .releasing)
            self.finished.add(1, ordering: .releasing)
        }
        return true
    }

    /// On the queue: syncs `file`, counting a failure.
    private func synchronize(_ file: FileHandle) {
        do {
            try file.synchronize()
        } catch {
            failed.add(1, ordering: .relaxed)
        }
    }
}
