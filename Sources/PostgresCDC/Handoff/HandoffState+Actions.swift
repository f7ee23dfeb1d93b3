/// What ``HandoffState``'s inputs return: the owner does it after releasing the lock.
extension HandoffState {
    /// What a consumer's pull does.
    enum PullAction {
        /// Hand this to the consumer; `wakeProducer`: a producer waiting for room may go on.
        case deliver(HandoffDelivery<Element, Failure>, wakeProducer: Bool)
        /// Nothing to hand out: the waiter given was kept (``HandoffState/expireDeadline(now:token:)`` names it by `token`).
        case suspended(token: UInt64)
        /// Nothing to hand out and no waiter given: block until woken, then pull again.
        case wait
    }

    /// Whether a producer may push now.
    enum ProducerCheck: Equatable {
        /// There is room.
        case ready
        /// The buffer is full: wait until woken, then check again.
        case waitForRoom
        /// The producer finished or was stopped: push nothing more.
        case done
    }

    /// Whom to wake after an input changed the state.
    struct Wake {
        /// Resume the waiting consumer with this.
        var resume: (waiter: Waiter, delivery: HandoffDelivery<Element, Failure>)?
        /// Wake the threads waiting on the lock: a blocked consumer, producers waiting for room or for a time.
        var threads: Bool

        /// Nobody.
        static var none: Wake { Wake(resume: nil, threads: false) }
    }

    /// What to do when a waiter's deadline may have passed.
    enum DeadlineAction {
        /// The waiter is no longer waiting (or has no deadline): forget its timer.
        case none
        /// It timed out: resume it with ``HandoffDelivery/timedOut``.
        case resume(Waiter)
        /// Not yet: check again at this time (monotonic nanoseconds).
        case checkAgain(at: UInt64)
    }

    /// A place kept in the buffer for an element prepared outside the lock.
    struct Ticket: Equatable {
        let number: Int
    }
}
