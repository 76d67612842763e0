import Foundation
import Synchronization

/// `transform` of each of `0..<count`, worked out on up to `jobs` threads, in order. Workers take the next
/// index when they are free, so a few slow items (a large data file) do not leave the others idle.
public func concurrentMap<T: Sendable>(_ count: Int, jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
                                       _ transform: @Sendable (Int) -> T) -> [T] {
    let work = ConcurrentWork<T>(count: count)
    DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, count))) { _ in
        var done: [(index: Int, value: T)] = []
        while let index = work.take() { done.append((index, transform(index))) }
        work.finish(done)
    }
    return work.results.withLock { $0.map { $0! } }
}

/// The indices still to take and the results of a `concurrentMap`.
private final class ConcurrentWork<T: Sendable>: Sendable {
    private let count: Int
    private let next = Mutex(0)
    let results: Mutex<[T?]>

    init(count: Int) {
        self.count = count
        results = Mutex([T?](repeating: nil, count: count))
    }

    /// The next index, or nil when all are taken.
    func take() -> Int? {
        next.withLock { next in
            guard next < count else { return nil }
            next += 1
            return next - 1
        }
    }

    func finish(_ done: [(index: Int, value: T)]) {
        results.withLock { results in
            for item in done { results[item.index] = item.value }
        }
    }
}
