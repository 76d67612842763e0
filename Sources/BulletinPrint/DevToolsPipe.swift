import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A connection to a browser started with `--remote-debugging-pipe`: Chrome DevTools protocol messages as JSON,
/// each ended by a NUL byte, written to the browser's file descriptor 3 and read from its descriptor 4. A thread
/// reads the browser's messages and hands each answer to the call waiting for it, and each event to whoever
/// waits for it (or keeps it until then).
final class DevToolsPipe: Sendable {
    private let commands: Int32
    private let messages: Int32
    private let state = Mutex(State())

    private struct State {
        var nextID = 0
        var calls: [Int: CheckedContinuation<[UInt8], any Error>] = [:]
        /// Events seen and not yet waited for, by session and method.
        var events: Set<String> = []
        var eventWaiters: [String: CheckedContinuation<Void, any Error>] = [:]
        var closed: String?
    }

    /// A connection over `commands` (written) and `messages` (read); the thread reading it starts now.
    init(commands: Int32, messages: Int32) {
        self.commands = commands
        self.messages = messages
        let thread = Thread { [self] in readMessages() }
        thread.name = "DevTools pipe"
        thread.start()
    }

    deinit {
        close(commands)
        close(messages)
    }

    /// The result of `method` with `params`, in the page session `session` (the browser's when nil).
    func call(_ method: String, _ params: [String: Any] = [:], session: String? = nil) async throws -> [String: Any] {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if let session { message["sessionId"] = session }
        let bytes = try JSONSerialization.data(withJSONObject: message) + [0]
        let answer = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8], any Error>) in
                let closed = state.withLock { state -> String? in
                    if state.closed == nil { state.calls[id] = continuation }
                    return state.closed
                }
                if let closed { return continuation.resume(throwing: DevToolsError(closed)) }
                guard write(bytes) else {
                    state.withLock { $0.calls.removeValue(forKey: id) }?.resume(throwing: DevToolsError("the browser stopped reading commands"))
                    return
                }
            }
        } onCancel: {
            state.withLock { $0.calls.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
        let object = try JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any] ?? [:]
        if let error = object["error"] as? [String: Any] {
            throw DevToolsError("\(method): \(error["message"] as? String ?? "failed")")
        }
        return object["result"] as? [String: Any] ?? [:]
    }

    /// Returns once the event `method` has arrived in `session` (at once when it already has).
    func event(_ method: String, session: String) async throws {
        let key = session + " " + method
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Bool, DevToolsError> in
                    if let closed = state.closed { return .failure(DevToolsError(closed)) }
                    if state.events.remove(key) != nil { return .success(true) }
                    state.eventWaiters[key] = continuation
                    return .success(false)
                }
                switch outcome {
                case .success(true): continuation.resume()
                case .success(false): break
                case .failure(let error): continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            state.withLock { $0.eventWaiters.removeValue(forKey: key) }?.resume(throwing: CancellationError())
        }
    }

    /// Forgets the events of a session that has ended.
    func forget(session: String) {
        state.withLock { state in state.events = state.events.filter { !$0.hasPrefix(session + " ") } }
    }

    private func write(_ bytes: Data) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(commands, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return false }
                offset += written
            }
            return true
        }
    }

    /// The reading thread: splits the stream at NUL bytes until the browser closes it.
    private func readMessages() {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(messages, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            pending += buffer[..<count]
            while let end = pending.firstIndex(of: 0) {
                dispatch(Array(pending[..<end]))
                pending.removeSubrange(...end)
            }
        }
        let waiting = state.withLock { state in
            state.closed = "the browser closed the DevTools connection"
            defer { state.calls = [:]; state.eventWaiters = [:] }
            return (Array(state.calls.values), Array(state.eventWaiters.values))
        }
        for call in waiting.0 { call.resume(throwing: DevToolsError("the browser closed the DevTools connection")) }
        for waiter in waiting.1 { waiter.resume(throwing: DevToolsError("the browser closed the DevTools connection")) }
    }

    private func dispatch(_ message: [UInt8]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(message)) as? [String: Any] else { return }
        if let id = object["id"] as? Int {
            state.withLock { $0.calls.removeValue(forKey: id) }?.resume(returning: message)
        } else if let method = object["method"] as? String, let session = object["sessionId"] as? String {
            let key = session + " " + method
            let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                if let waiter = state.eventWaiters.removeValue(forKey: key) { return waiter }
                state.events.insert(key)
                return nil
            }
            waiter?.resume()
        }
    }
}

/// A failure of the browser or of a DevTools call.
struct DevToolsError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
