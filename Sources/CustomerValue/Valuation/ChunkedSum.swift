import Dispatch

/// Sums a per-row quantity over all cores: rows are cut into contiguous chunks, each chunk is summed
/// on its own thread, and the chunk sums are added in chunk order, so the result does not depend on
/// thread timing.
enum ChunkedSum {
    static func sum<Vector: SIMD & Sendable>(
        count: Int,
        minimumChunk: Int = 16_384,
        _ body: @Sendable (Range<Int>) -> Vector
    ) -> Vector where Vector.Scalar: FloatingPoint {
        guard count > 2 * minimumChunk else { return body(0..<count) }
        let chunks = Swift.min(64, count / minimumChunk)
        let size = (count + chunks - 1) / chunks
        let slots = ResultSlots<Vector>(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let range = (chunk * size)..<Swift.min(count, (chunk + 1) * size)
            slots.store([body(range)], at: chunk)
        }
        return slots.joined().reduce(Vector(), +)
    }
}
