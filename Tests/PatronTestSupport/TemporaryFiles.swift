public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where tests put their databases and files: one directory per test process, under the system's
/// temporary directory, removed with everything in it when the process exits, so that test runs
/// leave nothing behind.
public enum TemporaryFiles {
    /// The test process's directory (created at first use).
    public static let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "patron-tests-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)"
        )
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            fatalError("cannot create the tests' temporary directory \(url.path): \(error)")
        }
        atexit { try? FileManager.default.removeItem(at: TemporaryFiles.directory) }
        return url
    }()
}
