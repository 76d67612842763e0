import Synchronization

/// A value shared between threads behind a `Mutex`, held by reference so that values holding it can be copied.
public final class LockedValue<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: Value) { mutex = Mutex(value) }

    public func get() -> Value { mutex.withLock { $0 } }

    public func set(_ newValue: Value) { mutex.withLock { $0 = newValue } }

    /// Changes the value and returns what `change` returns.
    @discardableResult
    public func update<Result: Sendable>(_ change: (inout Value) -> Result) -> Result { mutex.withLock { change(&$0) } }
}
