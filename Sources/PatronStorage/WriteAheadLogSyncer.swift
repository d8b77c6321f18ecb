import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Makes commits durable off the writer's thread.
///
/// A tracking request is acknowledged only once its events are on disk. With `synchronous=FULL`
/// SQLite fsyncs the write-ahead log inside the commit, on the one writer thread, and every
/// processing step and group commit queued behind waits for the disk (a few hundred fsyncs a second
/// under load, each 0.5–5 ms on the benchmark machine). Instead, ingest commits at
/// `synchronous=NORMAL` (its log frames are written, not synced) and hands its callers here: one
/// `fdatasync` of the log, started after they were handed over, wakes them all. The writer meanwhile
/// writes the next group or a processing step, and groups that commit during a sync share the next
/// one.
///
/// This is as safe as a commit at `synchronous=FULL`: the frames of a commit are in the log file
/// when the commit returns, and syncing the file (through any descriptor of it) puts them on disk.
/// SQLite keeps the log consistent on its own at `synchronous=NORMAL` (a commit lost in a power
/// failure takes every later one with it, and checkpoints sync the log before copying it).
final class WriteAheadLogSyncer: Sendable {
    /// The write-ahead log, opened read-only for syncing (the file SQLite writes is the same inode).
    private struct OpenLog {
        var descriptor: Int32
        var device: UInt64
        var inode: UInt64
    }

    private struct State {
        var waiting: [@Sendable (Result<Void, StoreError>) -> Void] = []
        var isSyncing = false
    }

    /// The path of the write-ahead log (`<database>-wal`).
    let path: String
    private let state = Mutex(State())
    /// Used only on `queue`.
    private let log = Mutex<OpenLog?>(nil)
    private let queue = DispatchQueue(label: "patron.write-ahead-log-sync", qos: .userInitiated)

    /// A syncer for the write-ahead log of the database at `databasePath`.
    init(databasePath: String) {
        path = databasePath + "-wal"
    }

    deinit {
        if let open = log.withLock({ $0 }) { close(open.descriptor) }
    }

    /// Calls `completion` (on the syncer's queue) after a sync of the log that started after this
    /// call, with the failure if that sync failed.
    func afterSync(_ completion: @escaping @Sendable (Result<Void, StoreError>) -> Void) {
        let startsSyncing = state.withLock { state -> Bool in
            state.waiting.append(completion)
            if state.isSyncing { return false }
            state.isSyncing = true
            return true
        }
        if startsSyncing { queue.async { self.syncWhileWaiting() } }
    }

    /// On the queue: syncs once for everything handed over so far, until nothing waits.
    private func syncWhileWaiting() {
        while true {
            let completions = state.withLock { state in
                defer { state.waiting.removeAll(keepingCapacity: true) }
                if state.waiting.isEmpty { state.isSyncing = false }
                return state.waiting
            }
            if completions.isEmpty { return }
            let result = sync()
            for completion in completions { completion(result) }
        }
    }

    /// Syncs the log file, (re)opening it when it is not the file open (never while SQLite keeps it).
    private func sync() -> Result<Void, StoreError> {
        log.withLock { openLog -> Result<Void, StoreError> in
            var status = stat()
            guard stat(path, &status) == 0 else {
                return .failure(failure("cannot find the write-ahead log \(path)"))
            }
            let device = UInt64(status.st_dev)
            let inode = UInt64(status.st_ino)
            if let current = openLog, current.device != device || current.inode != inode {
                close(current.descriptor)
                openLog = nil
            }
            let descriptor: Int32
            if let current = openLog {
                descriptor = current.descriptor
            } else {
                descriptor = open(path, O_RDONLY | O_CLOEXEC)
                guard descriptor >= 0 else { return .failure(failure("cannot open the write-ahead log \(path)")) }
                openLog = OpenLog(descriptor: descriptor, device: device, inode: inode)
            }
            guard fdatasync(descriptor) == 0 else {
                return .failure(failure("cannot sync the write-ahead log \(path)"))
            }
            return .success(())
        }
    }

    private func failure(_ what: String) -> StoreError {
        StoreError(.unavailable, "\(what): \(String(cString: strerror(errno)))")
    }
}
