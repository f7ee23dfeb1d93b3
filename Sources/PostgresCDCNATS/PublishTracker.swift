import Foundation

/// Counts the acknowledgements the NATS library reports (on its own thread) for the messages the
/// sink published, and keeps the first failure. The sink waits on it rather than on
/// `js_PublishAsyncComplete`, whose return does not order it after the callbacks.
final class PublishTracker: @unchecked Sendable {
    // Safe: every property is only touched while holding `condition`.
    private let condition = NSCondition()
    private var sent = 0
    private var settled = 0
    private var failure: Failure?

    struct Failure {
        var text: String
        var retryable: Bool
    }

    func published() {
        condition.withLock { sent += 1 }
    }

    func settle(failure: Failure?) {
        condition.withLock {
            settled += 1
            // A refusal outranks a transient failure: it will not go away by publishing again.
            if let failure, self.failure == nil || (self.failure?.retryable == true && !failure.retryable) { self.failure = failure }
            condition.broadcast()
        }
    }

    /// Waits until every published message was acknowledged or refused, at most `timeout` seconds.
    /// Returns the first failure, or a retryable one when time ran out.
    func wait(timeout: Double) -> Failure? {
        let deadline = Date().addingTimeInterval(timeout)
        return condition.withLock {
            while settled < sent && failure?.retryable != false {
                if !condition.wait(until: deadline) { break }
            }
            if let failure { return failure }
            if settled < sent { return Failure(text: "\(sent - settled) of \(sent) messages not acknowledged within \(timeout) s", retryable: true) }
            return nil
        }
    }

    /// Forgets everything (the unacknowledged batches are about to be published again).
    func reset() {
        condition.withLock {
            sent = 0
            settled = 0
            failure = nil
        }
    }
}
