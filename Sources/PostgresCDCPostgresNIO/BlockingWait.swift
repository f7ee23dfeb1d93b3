import Dispatch
import Foundation
import PostgresCDC
import PostgresNIO

/// Runs async work and blocks the calling thread until it is done: the bridge from the blocking
/// `CheckpointStore` requirements to postgres-nio.
///
/// Safe only on a thread that the work does not need: the work runs on Swift's cooperative pool
/// (the client's connection pool runs there too) and its I/O on SwiftNIO's event loops. So a caller
/// that is itself on a task (async code, the cooperative pool or an actor) or on an event loop is
/// refused with a `CheckpointError` instead of risking a deadlock; `ChangeStream` calls from
/// threads of its own.
enum BlockingWait {
    static func result<Value: Sendable>(
        of action: String, table: String, _ work: @escaping @Sendable () async throws -> Value
    ) throws -> Value {
        let onTask = withUnsafeCurrentTask { $0 != nil }
        guard !onTask, MultiThreadedEventLoopGroup.currentEventLoop == nil else {
            throw CheckpointError(
                path: table,
                reason: "cannot \(action) by blocking a thread of Swift concurrency or SwiftNIO (it could deadlock); "
                    + "async code calls the store's async methods (storedCheckpoint(), save(_:on:))")
        }
        let outcome = Outcome<Value>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { outcome.set(.success(try await work())) } catch { outcome.set(.failure(error)) }
            done.signal()
        }
        done.wait()
        return try outcome.get()
    }
}

/// The result handed from the task to the waiting thread.
///
/// `@unchecked Sendable`: `result` is only touched with `lock` held.
private final class Outcome<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<Value, any Error> = .failure(CancellationError())

    func set(_ result: Result<Value, any Error>) {
        lock.withLock { self.result = result }
    }

    func get() throws -> Value {
        try lock.withLock { result }.get()
    }
}
