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

/// Lets go of values on a utility queue: freeing a large structure of many small objects takes a while that
/// the caller need not wait for. Helps only when the caller keeps no other reference.
public enum BackgroundRelease {
    public static func release<Value>(_ value: consuming Value) {
        let box = Box(value)
        DispatchQueue.global(qos: .utility).async { box.empty() }
    }

    private final class Box: @unchecked Sendable {
        private var value: Any?
        private let lock = NSLock()

        init(_ value: consuming Any) {
            self.value = value
        }

        func empty() {
            let value = lock.withLock { self.value.take() }
            withExtendedLifetime(value) {}
        }
    }
}
