import Foundation

extension DispatchQueue {
    /// `transform` of each of `0..<count`, worked out side by side on every core (`concurrentPerform`), in order.
    public static func concurrentMap<T: Sendable>(_ count: Int, _ transform: @Sendable (Int) -> T) -> [T] {
        let results = LockedValue([T?](repeating: nil, count: count))
        concurrentPerform(iterations: count) { index in
            let result = transform(index)
            results.update { $0[index] = result }
        }
        return results.get().map { $0! }
    }
}
