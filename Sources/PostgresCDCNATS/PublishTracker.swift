import Foundation

/// Tracks, by message id, the messages the sink published and not yet acknowledged; the NATS
/// library reports each acknowledgement or refusal on its own thread. The sink waits on it rather
/// than on `js_PublishAsyncComplete`, whose return does not order it after the callbacks, and a
/// late callback for a message from before ``reset()`` (one published again since) is ignored
/// instead of being counted for the new one.
final class PublishTracker: @unchecked Sendable {
    // Safe: every property is only touched while holding `condition`.
    private let condition = NSCondition()
    private var pending: Set<String> = []
    private var failure: Failure?

    struct Failure {
        var text: String
        var retryable: Bool
    }

    /// A message with this `Nats-Msg-Id` is on its way.
    func published(_ id: String) {
        condition.withLock { _ = pending.insert(id) }
    }

    /// The library settled the message `id` (acknowledged when `failure` is `nil`).
    func settle(_ id: String?, failure: Failure?) {
        condition.withLock {
            // An id not pending belongs to a generation already given up on: ignore it.
            guard let id, pending.remove(id) != nil else { return }
            // A refusal outranks a transient failure: it will not go away by publishing again.
            if let failure, self.failure == nil || (self.failure?.retryable == true && !failure.retryable) { self.failure = failure }
            condition.broadcast()
        }
    }

    /// Waits until every pending message was acknowledged or one was refused, at most `timeout`
    /// seconds. Returns the first failure, or a retryable one when time ran out.
    func wait(timeout: Double) -> Failure? {
        let deadline = Date().addingTimeInterval(timeout)
        return condition.withLock {
            while !pending.isEmpty && failure?.retryable != false {
                if !condition.wait(until: deadline) { break }
            }
            if let failure { return failure }
            if !pending.isEmpty { return Failure(text: "\(pending.count) messages not acknowledged within \(timeout) s", retryable: true) }
            return nil
        }
    }

    /// Forgets everything (the unacknowledged batches are about to be published again).
    func reset() {
        condition.withLock {
            pending.removeAll(keepingCapacity: true)
            failure = nil
        }
    }
}
