import Foundation

/// Tracks, by message id, the messages the sink published and not yet acknowledged; the NATS
/// library reports each acknowledgement or refusal on its own thread. The sink waits on it rather
/// than on `js_PublishAsyncComplete`, whose return does not order it after the callbacks, and a
/// late callback for a message from before ``reset()`` (one published again since) is ignored
/// instead of being counted for the new one.
final class PublishTracker: @unchecked Sendable {
    // Safe: every property is only touched while holding `condition`.
    private let condition = NSCondition()
    /// Pending messages by a 64-bit hash of their id (no string per message on either thread;
    /// a collision among the few thousand pending ids is out of reach).
    private var pending: Set<UInt64> = []
    private var failure: Failure?
    /// The key of the last message published, and JetStream's acknowledgement of it.
    private var tail: UInt64?
    private var tailAcknowledgement: Acknowledgement?

    /// Where JetStream stored a message.
    struct Acknowledgement: Equatable {
        /// Its stream sequence (a duplicate's: where the copy it duplicates is).
        var sequence: UInt64
        /// It was dropped as a duplicate of one already stored.
        var duplicate: Bool
    }

    struct Failure {
        var text: String
        var retryable: Bool
    }

    /// The key of a message id.
    static func key(_ id: UnsafePointer<CChar>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var pointer = id
        while pointer.pointee != 0 {
            hash = (hash ^ UInt64(UInt8(bitPattern: pointer.pointee))) &* 0x100_0000_01b3
            pointer += 1
        }
        return hash
    }

    /// A message with this id key is on its way; `isTail`: the last one published so far.
    func published(_ id: UInt64, isTail: Bool = false) {
        condition.withLock {
            _ = pending.insert(id)
            if isTail {
                tail = id
                tailAcknowledgement = nil
            }
        }
    }

    /// The library settled the message with id key `id`: acknowledged (`acknowledgement`) or failed.
    func settle(_ id: UInt64?, failure: Failure?, acknowledgement: Acknowledgement? = nil) {
        condition.withLock {
            // An id not pending belongs to a generation already given up on: ignore it.
            guard let id, pending.remove(id) != nil else { return }
            if id == tail, failure == nil { tailAcknowledgement = acknowledgement }
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

    /// JetStream's acknowledgement of the last message published, once it came.
    var lastAcknowledgement: Acknowledgement? {
        condition.withLock { tailAcknowledgement }
    }

    /// Forgets everything (the unacknowledged batches are about to be published again).
    func reset() {
        condition.withLock {
            pending.removeAll(keepingCapacity: true)
            failure = nil
            tail = nil
            tailAcknowledgement = nil
        }
    }
}
