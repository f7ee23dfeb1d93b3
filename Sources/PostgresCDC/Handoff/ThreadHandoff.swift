import Foundation

/// Hands elements from a producing thread to a consumer under one lock: a ``HandoffState``
/// decides, this carries the decisions out — resuming a waiting task, waking the threads that
/// wait on the lock — after the lock is released. The consumer either waits asynchronously
/// (``pull(deadline:reportIdle:)``) or blocks its thread (``next()``).
///
/// The owner keeps its own state that must change together with the buffer in `Ledger`, under
/// the same lock (``withLedger(_:)``, ``updateLedger(_:)``).
///
/// `@unchecked Sendable`: `state` and `ledger` are only touched with `condition` locked.
final class ThreadHandoff<Element: Sendable, Failure: Error, Ledger: HandoffLedger>: @unchecked Sendable where Ledger.Element == Element {
    /// What an asynchronous consumer waits with.
    typealias Waiter = CheckedContinuation<HandoffDelivery<Element, Failure>, Never>
    /// The handoff's state.
    typealias State = HandoffState<Element, Failure, Waiter>

    /// What a producer pushes, decided under the lock (``push(_:)``).
    enum Entry {
        /// This element.
        case element(Element)
        /// A place for an element prepared outside the lock (``fill(_:with:)``).
        case reservation
        /// Nothing after all.
        case nothing
    }

    /// What came of a push.
    enum Pushed {
        case pushed
        case reserved(State.Ticket)
        case nothing
        /// The producer finished or was stopped: it should stop too.
        case done
    }

    /// Where deadlines are read.
    let timeSource: any TimeSource
    private let condition = NSCondition()
    private var state: State
    private var ledger: Ledger
    /// Runs (outside the lock) whenever ``stop()`` stops the producer: to wake it where it waits
    /// on something else than the lock (a socket).
    private let whenStopped: (@Sendable () -> Void)?

    /// A handoff buffering `capacity` elements at most.
    init(capacity: Int, ledger: Ledger, timeSource: any TimeSource, whenStopped: (@Sendable () -> Void)? = nil) {
        state = State(capacity: capacity)
        self.ledger = ledger
        self.timeSource = timeSource
        self.whenStopped = whenStopped
    }

    /// Runs `body` under the lock with the ledger (and the state, to read).
    func withLedger<Result>(_ body: (inout Ledger, State) -> Result) -> Result {
        condition.withLock { body(&ledger, state) }
    }

    /// Runs `body` under the lock with the ledger, then wakes the threads waiting for a change.
    func updateLedger<Result>(_ body: (inout Ledger) -> Result) -> Result {
        let result = condition.withLock { body(&ledger) }
        condition.broadcast()
        return result
    }

    /// Carries out `wake`; called after the lock is released.
    func perform(_ wake: State.Wake) {
        if wake.threads { condition.broadcast() }
        if case let (waiter, delivery)? = wake.resume { waiter.resume(returning: delivery) }
    }

    /// Runs `body` under the lock with the state and the ledger (for the asynchronous consumer's pulls).
    func withState<Result>(_ body: (inout State, inout Ledger) -> Result) -> Result {
        condition.withLock { body(&state, &ledger) }
    }

    /// Applies `change` to the state under the lock, noting an element it hands out; returns whom to wake.
    func locked(_ change: (inout State) -> State.Wake) -> State.Wake {
        condition.withLock {
            let wake = change(&state)
            noteHandedOut(wake)
            return wake
        }
    }

    /// Tells the ledger of the element `wake` hands to the waiting consumer (under the lock).
    private func noteHandedOut(_ wake: State.Wake) {
        if case let .element(element)? = wake.resume?.delivery { ledger.handedOut(element) }
    }

    // MARK: - Producer

    /// Waits while the buffer is full, then pushes what `make` decides under the lock (given the
    /// ledger and the number of elements buffered).
    func push(_ make: (inout Ledger, _ buffered: Int) -> Entry) -> Pushed {
        let (pushed, wake) = condition.withLock { () -> (Pushed, State.Wake) in
            // No access to the state lasts over a wait: the consumer changes it meanwhile.
            while true {
                switch state.checkProducer() {
                case .done: return (.done, .none)
                case .waitForRoom: condition.wait()
                case .ready:
                    switch make(&ledger, state.bufferedCount) {
                    case let .element(element):
                        let wake = state.push(element)
                        noteHandedOut(wake)
                        return (.pushed, wake)
                    case .reservation: return (.reserved(state.reserve()), .none)
                    case .nothing: return (.nothing, .none)
                    }
                }
            }
        }
        perform(wake)
        return pushed
    }

    /// Pushes `element`, waiting while the buffer is full; `false` when the producer should stop.
    func push(_ element: Element) -> Bool {
        if case .pushed = push({ _, _ in .element(element) }) { true } else { false }
    }

    /// Puts the element prepared for `ticket` in its place.
    func fill(_ ticket: State.Ticket, with element: Element) {
        perform(locked { $0.fill(ticket, with: element) })
    }

    /// The producer has nothing more for now.
    func producerIsIdle() {
        perform(locked { $0.producerIsIdle() })
    }

    /// The producer finished, with `failure` or without.
    func finish(failure: Failure?) {
        perform(locked { $0.finish(failure: failure) })
    }

    /// Drops everything buffered and applies `update` to the ledger, under the lock.
    func dropBuffered(_ update: (inout Ledger) -> Void) {
        condition.withLock {
            _ = state.dropBuffered()
            update(&ledger)
        }
        condition.broadcast()
    }

    /// Blocks while `decide` (under the lock, given the time) says to wait — until woken (by a
    /// change of the state or the ledger) or until the time it names; `nil` once the consumer stopped
    /// the producer.
    func wait<Value>(for decide: (inout Ledger, _ now: UInt64) -> HandoffWait<Value>) -> Value? {
        condition.withLock {
            while !state.isStopped {
                let now = timeSource.monotonicNanoseconds()
                switch decide(&ledger, now) {
                case let .ready(value):
                    return value
                case .wait(until: nil):
                    condition.wait()
                case let .wait(until: deadline?):
                    // NSCondition takes a date of the wall clock: only the interval, from the time
                    // source, matters (a wake-up before the deadline decides again).
                    let seconds = deadline > now ? Double(deadline - now) / 1e9 : 0
                    _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
                }
            }
            return nil
        }
    }

    /// Blocks until `seconds` passed on the time source (woken early by a change, it waits on);
    /// `false` when the consumer stopped the producer meanwhile.
    func pause(seconds: Double) -> Bool {
        let deadline = timeSource.monotonicNanoseconds() &+ UInt64(max(0, seconds) * 1e9)
        return wait { _, now in now >= deadline ? .ready(()) : .wait(until: deadline) } != nil
    }

    /// Wakes every thread waiting on the lock to decide again (after a test moved its clock).
    func wakeWaitingThreads() {
        condition.broadcast()
    }

    // MARK: - Consumer

    /// Stops the producer: it pushes nothing more and its waits end; a waiting consumer gets the end.
    func stop() {
        perform(locked { $0.stop() })
        whenStopped?()
    }

    /// Ends the consumer's iteration: pulls return the end (or, `closing`, ``HandoffDelivery/closed``)
    /// from now on, whatever is buffered.
    func endConsuming(closing: Bool) {
        perform(locked { $0.endConsuming(closing: closing) })
    }

    /// The next element, blocking the thread until there is one, or until the producer finished
    /// (then the end, or its failure) or was stopped.
    func next() -> HandoffDelivery<Element, Failure> {
        let (delivery, wakeProducer) = condition.withLock {
            while true {
                switch state.pull(now: 0) {
                case let .deliver(delivery, wakeProducer):
                    if case let .element(element) = delivery { ledger.handedOut(element) }
                    return (delivery, wakeProducer)
                case .wait, .suspended:
                    condition.wait()
                }
            }
        }
        if wakeProducer { condition.broadcast() }
        return delivery
    }

    /// Takes the first buffered element `matches` accepts, without waiting, and applies `update` to the
    /// ledger under the same lock (with the element taken, or `nil`).
    func take(where matches: (Element) -> Bool, update: (inout Ledger, Element?) -> Void = { _, _ in }) -> Element? {
        let taken = condition.withLock {
            let taken = state.take(where: matches)
            if let taken { ledger.handedOut(taken.element) }
            update(&ledger, taken?.element)
            return taken
        }
        // Taking out of order makes room for the producer whether or not it waited for the buffer.
        condition.broadcast()
        return taken?.element
    }

    /// Drops the buffered elements `matches` accepts, and applies `update` to the ledger under the same lock.
    func discard(where matches: (Element) -> Bool, update: (inout Ledger) -> Void = { _ in }) {
        condition.withLock {
            _ = state.discard(where: matches)
            update(&ledger)
        }
        condition.broadcast()
    }
}
