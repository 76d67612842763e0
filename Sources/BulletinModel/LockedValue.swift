import Foundation

/// A value shared between threads behind a lock: what workers of a parallel loop hand back.
public final class LockedValue<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    public func get() -> Value { lock.withLock { value } }

    public func set(_ newValue: Value) { lock.withLock { value = newValue } }

    public func update(_ change: (inout Value) -> Void) { lock.withLock { change(&value) } }
}
