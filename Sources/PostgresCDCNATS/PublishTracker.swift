import Foundation

/// Tracks the messages the sink published with an acknowledgement and not yet settled, batch by
/// batch; the NATS library reports each acknowledgement or refusal on its own thread. The sink
/// waits on it rather than on `js_PublishAsyncComplete`, whose return does not order it after the
/// callbacks, and it can wait for the oldest batches alone while newer ones stay in flight.
///
/// A message is known by its `natsMsg` address: the sink creates the message, registers it before
/// handing it to the library, and the library passes the same message to the acknowledgement
/// handler, which settles it before destroying it — so an address is never registered twice at
/// once, and no id is hashed or copied per message.
final class PublishTracker: @unchecked Sendable {
    // Safe: every property is only touched while holding `condition`.
    private let condition = NSCondition()
    /// Pending messages (by address): the batch each belongs to, and whether it ends a chain.
    private var pending: [UInt: (batch: UInt64, endsChain: Bool)] = [:]
    /// How many messages of each batch are pending; a batch with none is absent.
    private var outstanding: [UInt64: Int] = [:]
    /// The earliest batch with a failed message: it and the batches after it are not complete.
    private var failedBatch: UInt64?
    private var failure: Failure?
    /// The last message published with an acknowledgement, and JetStream's acknowledgement of it.
    private var tail: UInt?
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

    /// The message at `message` (of batch number `batch`) is on its way; `isTail`: the last one
    /// published so far; `endsChain`: the last message of a chain, whose acknowledgement proves the
    /// chain stored only if it was stored now, not dropped as a duplicate.
    func published(_ message: OpaquePointer, batch: UInt64, isTail: Bool, endsChain: Bool) {
        let key = UInt(bitPattern: message)
        condition.withLock {
            pending[key] = (batch, endsChain)
            outstanding[batch, default: 0] += 1
            if isTail {
                tail = key
                tailAcknowledgement = nil
            }
        }
    }

    /// The library settled `message`: acknowledged (`acknowledgement`) or failed.
    func settle(_ message: OpaquePointer, failure: Failure?, acknowledgement: Acknowledgement? = nil) {
        let key = UInt(bitPattern: message)
        condition.withLock {
            // A message not pending belongs to a generation already given up on: ignore it.
            guard let (batch, endsChain) = pending.removeValue(forKey: key) else { return }
            var failure = failure
            if endsChain, failure == nil, acknowledgement?.duplicate != false {
                // JetStream drops a duplicate before checking what it names: it proves nothing of
                // the messages before it. Published again, acknowledged message by message.
                failure = Failure(text: "the last message of a chain was a duplicate", retryable: true)
            }
            if let count = outstanding[batch], count > 1 { outstanding[batch] = count - 1 } else { outstanding[batch] = nil }
            if key == tail, failure == nil { tailAcknowledgement = acknowledgement }
            if let failure {
                failedBatch = min(failedBatch ?? batch, batch)
                // A refusal outranks a transient failure: it will not go away by publishing again.
                if self.failure == nil || (self.failure?.retryable == true && !failure.retryable) { self.failure = failure }
            }
            condition.broadcast()
        }
    }

    /// A message of batch `batch` could not be sent at all (the flush publishes the batch again).
    func fail(batch: UInt64, _ failure: Failure) {
        condition.withLock {
            failedBatch = min(failedBatch ?? batch, batch)
            if self.failure == nil || (self.failure?.retryable == true && !failure.retryable) { self.failure = failure }
            condition.broadcast()
        }
    }

    /// Whether every message of batch `batch` was acknowledged (none pending, none failed in it or before it).
    func isComplete(_ batch: UInt64) -> Bool {
        condition.withLock { isCompleteLocked(batch) }
    }

    private func isCompleteLocked(_ batch: UInt64) -> Bool {
        if let failedBatch, failedBatch <= batch { return false }
        return !outstanding.keys.contains { $0 <= batch }
    }

    /// Waits until batch `batch` and every batch before it are complete, or a message failed, at
    /// most `timeout` seconds. Returns `nil` when they are complete, else the failure, or a
    /// retryable one when time ran out.
    func wait(through batch: UInt64, timeout: Double) -> Failure? {
        let deadline = Date().addingTimeInterval(timeout)
        return condition.withLock {
            while failure == nil && !isCompleteLocked(batch) {
                if !condition.wait(until: deadline) { break }
            }
            // A failure in a later batch is for a later wait: these batches are stored.
            if isCompleteLocked(batch) { return nil }
            if let failure { return failure }
            let count = outstanding.filter { $0.key <= batch }.values.reduce(0, +)
            return Failure(text: "\(count) messages not acknowledged within \(timeout) s", retryable: true)
        }
    }

    /// JetStream's acknowledgement of the last message published with one, once it came (and no
    /// message failed since the last ``reset()``).
    var lastAcknowledgement: Acknowledgement? {
        condition.withLock { failure == nil ? tailAcknowledgement : nil }
    }

    /// Forgets everything (the unacknowledged batches are about to be published again).
    func reset() {
        condition.withLock {
            pending.removeAll(keepingCapacity: true)
            outstanding.removeAll(keepingCapacity: true)
            failedBatch = nil
            failure = nil
            tail = nil
            tailAcknowledgement = nil
        }
    }
}
