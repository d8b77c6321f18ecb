import Foundation

/// A progress bar on standard error, drawn only when standard error is a terminal (so logs and CI
/// output stay clean), redrawn at most ten times a second.
struct ProgressBar {
    let label: String
    let total: Int
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastDraw = ContinuousClock.now - .seconds(1)

    init(label: String, total: Int) {
        self.label = label
        self.total = max(total, 1)
    }

    /// Shows `done` of `total`, with a note such as a row count.
    mutating func update(_ done: Int, note: String) {
        guard isTerminal, ContinuousClock.now - lastDraw >= .milliseconds(100) else { return }
        lastDraw = ContinuousClock.now
        draw(done, note: note)
    }

    /// Draws the bar full and ends its line.
    func finish(note: String) {
        guard isTerminal else { return }
        draw(total, note: note)
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private func draw(_ done: Int, note: String) {
        let fraction = min(1, Double(done) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let text = "\r\(label) \(bar) \(Int(fraction * 100))% \(note)\u{1B}[K"
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// A progress bar shared with a `@Sendable` progress callback (updates are serialised by a lock).
final class ProgressBarBox: @unchecked Sendable {
    private var bar: ProgressBar
    private let lock = NSLock()

    init(_ bar: ProgressBar) { self.bar = bar }

    func update(_ done: Int, note: String) { lock.withLock { bar.update(done, note: note) } }

    func finish(note: String) { lock.withLock { bar.finish(note: note) } }
}
