/// The state of a handoff between a thread that produces elements and the consumer that takes them,
/// with no locking, waiting or clock of its own: every input returns what to do next (hand an
/// element to the waiting consumer, wake a thread, wait, stop), and ``ThreadHandoff`` does it,
/// after its one lock is released.
///
/// The shape of swift-nio's `NIOThrowingAsyncSequenceProducer.StateMachine`: a bounded buffer
/// (the producer waits while it is full: back-pressure), a producer that finishes (with a failure,
/// which the consumer gets after the elements buffered before it), a consumer that stops the
/// producer or ends its own iteration, and at most one consumer waiting, with a deadline given as
/// a value (monotonic nanoseconds) and checked against the `now` each input brings.
///
/// `Waiter` is what an asynchronous consumer waits with (a continuation); a consumer that blocks
/// its thread instead waits without one and is woken (``PushAction/buffered(wakeConsumer:)``).
struct HandoffState<Element, Failure: Error, Waiter> {
    /// One place in the buffer.
    private enum Slot {
        case ready(Element)
        /// Kept for an element a producer prepares outside the lock (``reserve()``).
        case reserved
        /// Taken out of order (``take(where:)``), or handed out.
        case taken
    }

    /// The consumer waiting with a ``Waiter``.
    private struct Waiting {
        var waiter: Waiter
        var deadline: UInt64?
        var reportsIdle: Bool
        var token: UInt64
    }

    /// What the consumer does.
    private enum Consumer {
        case consuming
        /// Iteration ended: pulls end, whatever is buffered.
        case ended
        /// The owner closed the handoff: pulls get ``HandoffDelivery/closed``.
        case closed
    }

    /// Elements buffered at most before the producer waits.
    let capacity: Int
    private var slots: [Slot] = []
    private var head = 0
    /// Slots removed from the front so far: a ticket's number minus this is its index.
    private var removed = 0
    /// Slots from `head` that are not ``Slot/taken``.
    private(set) var bufferedCount = 0
    /// The producer finished; its failure, until the consumer got it.
    private var finished: (failure: Failure?, done: Bool) = (nil, false)
    /// The consumer stopped the producer (``stop()``).
    private(set) var isStopped = false
    private var consumer = Consumer.consuming
    /// The producer said it has nothing more for now (``producerIsIdle()``) and has pushed nothing since.
    private var producerIdle = false
    private var waiting: Waiting?
    private var tokens: UInt64 = 0
    /// A producer found the buffer full and waits for room.
    private var producerWaitsForRoom = false
    /// A blocking consumer found nothing and waits to be woken.
    private var consumerBlocked = false

    /// A handoff buffering `capacity` elements at most (at least one).
    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// An asynchronous consumer is waiting (so nothing is buffered for it).
    var consumerIsWaiting: Bool { waiting != nil }

    /// The owner closed the handoff (``endConsuming(closing:)``).
    var isClosed: Bool {
        if case .closed = consumer { true } else { false }
    }

    /// The producer finished, or the consumer stopped it: nothing more will be pushed.
    var isDone: Bool { isStopped || finished.done }

    /// The elements buffered and not handed out, in order.
    var bufferedElements: [Element] {
        slots[head...].compactMap { slot in
            if case let .ready(element) = slot { element } else { nil }
        }
    }
}

// MARK: - Consumer

extension HandoffState {
    /// The consumer asks for the next element: buffered elements first, then how the producer
    /// ended, then ``HandoffDelivery/idle`` (with `reportIdle`) or ``HandoffDelivery/timedOut`` (once
    /// `now` reached `deadline`); otherwise it waits — with `waiter`, kept until something comes.
    mutating func pull(now: UInt64, deadline: UInt64? = nil, reportIdle: Bool = false, waiter: Waiter? = nil) -> PullAction {
        switch consumer {
        case .closed: return .deliver(.closed, wakeProducer: false)
        case .ended: return .deliver(.end, wakeProducer: false)
        case .consuming: break
        }
        if head < slots.count {
            // `head` is never at a taken slot: a ready one, or one a producer still prepares.
            guard case let .ready(element) = slots[head] else { return wait(waiter, deadline: deadline, reportIdle: reportIdle) }
            slots[head] = .taken
            bufferedCount -= 1
            advanceHead()
            defer { producerWaitsForRoom = false }
            return .deliver(.element(element), wakeProducer: producerWaitsForRoom)
        }
        if finished.done {
            // The failure is handed out once; pulls after it end.
            defer { finished.failure = nil }
            return .deliver(finished.failure.map { .failed($0) } ?? .end, wakeProducer: false)
        }
        if isStopped { return .deliver(.end, wakeProducer: false) }
        if reportIdle && producerIdle { return .deliver(.idle, wakeProducer: false) }
        if let deadline, now >= deadline { return .deliver(.timedOut, wakeProducer: false) }
        return wait(waiter, deadline: deadline, reportIdle: reportIdle)
    }

    private mutating func wait(_ waiter: Waiter?, deadline: UInt64?, reportIdle: Bool) -> PullAction {
        guard let waiter else {
            consumerBlocked = true
            return .wait
        }
        tokens &+= 1
        waiting = Waiting(waiter: waiter, deadline: deadline, reportsIdle: reportIdle, token: tokens)
        return .suspended(token: tokens)
    }

    /// The waiting consumer's deadline may have passed at `now`: it times out if so. `token` names the
    /// pull that started the timer asking (`nil`: whichever waits).
    mutating func expireDeadline(now: UInt64, token: UInt64? = nil) -> DeadlineAction {
        guard let waiting, token == nil || waiting.token == token, let deadline = waiting.deadline else { return .none }
        guard now >= deadline else { return .checkAgain(at: deadline) }
        self.waiting = nil
        return .resume(waiting.waiter)
    }

    /// Takes the first buffered element `matches` accepts, out of order; `nil` when none does.
    /// `wakeProducer`: a producer waiting for room may go on.
    mutating func take(where matches: (Element) -> Bool) -> (element: Element, wakeProducer: Bool)? {
        for index in head..<slots.count {
            guard case let .ready(element) = slots[index], matches(element) else { continue }
            slots[index] = .taken
            bufferedCount -= 1
            if index == head { advanceHead() }
            defer { producerWaitsForRoom = false }
            return (element, producerWaitsForRoom)
        }
        return nil
    }

    /// Drops the buffered elements `matches` accepts; `true` when a producer waiting for room may go on.
    mutating func discard(where matches: (Element) -> Bool) -> Bool {
        for index in head..<slots.count {
            guard case let .ready(element) = slots[index], matches(element) else { continue }
            slots[index] = .taken
            bufferedCount -= 1
        }
        advanceHead()
        defer { producerWaitsForRoom = false }
        return producerWaitsForRoom
    }

    /// The consumer stops the producer: a waiting consumer gets ``HandoffDelivery/end``, and pulls
    /// after it get what is buffered, then the end.
    mutating func stop() -> Wake {
        isStopped = true
        return Wake(resume: takeWaiter(with: .end), threads: true)
    }

    /// The consumer ends its iteration (`closing`: the owner closed the handoff): pulls from now on
    /// get ``HandoffDelivery/end`` (``HandoffDelivery/closed``) whatever is buffered.
    mutating func endConsuming(closing: Bool) -> Wake {
        if closing { consumer = .closed } else if case .consuming = consumer { consumer = .ended }
        defer { consumerBlocked = false }
        return Wake(resume: takeWaiter(with: .end), threads: consumerBlocked)
    }

    private mutating func takeWaiter(
        with delivery: HandoffDelivery<Element, Failure>
    ) -> (waiter: Waiter, delivery: HandoffDelivery<Element, Failure>)? {
        guard let waiting else { return nil }
        self.waiting = nil
        return (waiting.waiter, delivery)
    }

    /// Moves `head` past taken slots, and lets go of the slots before it: at once when everything
    /// was handed out, else once `capacity` of them piled up (so that a consumer that never empties
    /// the buffer does not keep every element).
    private mutating func advanceHead() {
        while head < slots.count, case .taken = slots[head] { head += 1 }
        if head == slots.count {
            removed += slots.count
            slots.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= capacity {
            removed += head
            slots.removeFirst(head)
            head = 0
        }
    }
}

// MARK: - Producer

extension HandoffState {
    /// Whether a producer may push now; ``ProducerCheck/waitForRoom`` records that one waits.
    mutating func checkProducer() -> ProducerCheck {
        if isDone { return .done }
        guard bufferedCount < capacity else {
            producerWaitsForRoom = true
            return .waitForRoom
        }
        return .ready
    }

    /// The producer pushes `element` (after ``checkProducer()`` said ``ProducerCheck/ready``): handed
    /// to the waiting consumer, or buffered. Dropped when the handoff is done.
    mutating func push(_ element: Element) -> Wake {
        guard !isDone else { return .none }
        producerIdle = false
        if head == slots.count, let waiting {
            self.waiting = nil
            return Wake(resume: (waiting.waiter, .element(element)), threads: false)
        }
        slots.append(.ready(element))
        bufferedCount += 1
        return wakeBlockedConsumer()
    }

    /// Keeps the next place in the buffer for an element the producer prepares outside the lock
    /// (``fill(_:with:)``): elements pushed meanwhile are handed out after it.
    mutating func reserve() -> Ticket {
        producerIdle = false
        slots.append(.reserved)
        bufferedCount += 1
        return Ticket(number: removed + slots.count - 1)
    }

    /// Puts the element prepared for `ticket` in its place (nothing when that was dropped).
    mutating func fill(_ ticket: Ticket, with element: Element) -> Wake {
        let index = ticket.number - removed
        guard index >= head, index < slots.count, case .reserved = slots[index] else { return .none }
        guard index == head else {
            slots[index] = .ready(element)
            return .none
        }
        if let waiting {
            self.waiting = nil
            slots[index] = .taken
            bufferedCount -= 1
            advanceHead()
            return Wake(resume: (waiting.waiter, .element(element)), threads: false)
        }
        slots[index] = .ready(element)
        return wakeBlockedConsumer()
    }

    private mutating func wakeBlockedConsumer() -> Wake {
        defer { consumerBlocked = false }
        return Wake(resume: nil, threads: consumerBlocked)
    }

    /// The producer has nothing more for now: a consumer waiting to hear that (with nothing buffered) is told.
    mutating func producerIsIdle() -> Wake {
        producerIdle = true
        guard let waiting, waiting.reportsIdle, bufferedCount == 0 else { return .none }
        self.waiting = nil
        return Wake(resume: (waiting.waiter, .idle), threads: false)
    }

    /// The producer finished, with `failure` or without: the consumer gets what is buffered first,
    /// then the failure (once) or the end. Only the first finish counts.
    mutating func finish(failure: Failure?) -> Wake {
        guard !finished.done else { return .none }
        finished = (failure, true)
        // Producers waiting for room stop; a blocked consumer looks again.
        guard bufferedCount == 0, let waiting else { return Wake(resume: nil, threads: true) }
        self.waiting = nil
        finished.failure = nil
        return Wake(resume: (waiting.waiter, failure.map { .failed($0) } ?? .end), threads: true)
    }

    /// Drops everything buffered (the producer will produce it again); `true` when a producer waiting
    /// for room may go on.
    mutating func dropBuffered() -> Bool {
        removed += slots.count
        slots.removeAll(keepingCapacity: true)
        head = 0
        bufferedCount = 0
        producerIdle = false
        defer { producerWaitsForRoom = false }
        return producerWaitsForRoom
    }
}
