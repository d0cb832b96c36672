#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Splits `count` items into contiguous ranges, one per core (at least `minimum` items each),
/// for CPU-bound work (parsing, hashing, inflating) spread over the cores. Each range runs through
/// `BlockingWork.cpu`, never on the cooperative pool.
enum ParallelChunks {
    static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    static func split(_ count: Int, minimum: Int = 16) -> [Range<Int>] {
        guard count > 0 else { return [] }
        let parts = max(1, min(cores, count / minimum))
        let size = (count + parts - 1) / parts
        return stride(from: 0, to: count, by: size).map { $0..<min(count, $0 + size) }
    }

    /// Maps `items` with `transform` on every core, keeping the order.
    static func map<T: Sendable, R: Sendable>(_ items: [T], _ transform: @escaping @Sendable (T) -> R) async -> [R] {
        let ranges = split(items.count)
        if ranges.count <= 1 { return await BlockingWork.cpu.perform { items.map(transform) } }
        return await withTaskGroup(of: (Int, [R]).self) { group in
            for (index, range) in ranges.enumerated() {
                let slice = Array(items[range])
                group.addTask {
                    // Awaited before the tuple is built: Swift 6.3's release build was seen to clobber
                    // an index built into a tuple across an await (in `AnchorStamper.stamp`).
                    let part = await BlockingWork.cpu.perform { slice.map(transform) }
                    return (index, part)
                }
            }
            var results = [[R]](repeating: [], count: ranges.count)
            for await (index, part) in group { results[index] = part }
            return results.flatMap { $0 }
        }
    }

    /// Like `map`, for a transform that throws: the first error wins and the rest is cancelled.
    static func mapThrowing<T: Sendable, R: Sendable>(
        _ items: [T], _ transform: @escaping @Sendable (T) throws -> R
    ) async throws -> [R] {
        let ranges = split(items.count)
        if ranges.count <= 1 { return try await BlockingWork.cpu.run { try items.map(transform) } }
        return try await withThrowingTaskGroup(of: (Int, [R]).self) { group in
            for (index, range) in ranges.enumerated() {
                let slice = Array(items[range])
                group.addTask {
                    let part = try await BlockingWork.cpu.run { try slice.map(transform) }
                    return (index, part)
                }
            }
            var results = [[R]](repeating: [], count: ranges.count)
            for try await (index, part) in group { results[index] = part }
            return results.flatMap { $0 }
        }
    }
}
