/// A consumer that waits asynchronously: a pull that finds nothing leaves its continuation with the
/// state, and whoever brings something resumes it; a timer task ends the wait at its deadline.
extension ThreadHandoff {
    /// The next element; or, when none comes first, ``HandoffDelivery/idle`` (with `reportIdle`) or
    /// ``HandoffDelivery/timedOut`` at `deadline` (monotonic nanoseconds of ``timeSource``).
    /// Cancelling the task stops the producer (``stop()``).
    func pull(deadline: UInt64? = nil, reportIdle: Bool = false) async -> HandoffDelivery<Element, Failure> {
        // The clock is read only for a deadline: most pulls have none.
        let now = deadline == nil ? 0 : timeSource.monotonicNanoseconds()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: Waiter) in
                let action = withState { state, ledger in
                    let action = state.pull(now: now, deadline: deadline, reportIdle: reportIdle, waiter: continuation)
                    if case let .deliver(.element(element), _) = action { ledger.handedOut(element) }
                    return action
                }
                switch action {
                case let .deliver(delivery, wakeProducer):
                    if wakeProducer { wakeWaitingThreads() }
                    continuation.resume(returning: delivery)
                case let .suspended(token):
                    if let deadline { expire(token, at: deadline) }
                case .wait:
                    break  // not returned when a waiter is given
                }
            }
        } onCancel: {
            stop()
        }
    }

    /// Times the waiter out if its deadline passed by the time source's clock (a timer does this at
    /// the deadline; a test that moved its clock may do it at once).
    func expireDeadline() {
        if case let .resume(waiter) = withState({ state, _ in state.expireDeadline(now: timeSource.monotonicNanoseconds()) }) {
            waiter.resume(returning: .timedOut)
        }
    }

    /// Starts the timer of the pull `token` names: at `deadline`, it times out if still waiting.
    private func expire(_ token: UInt64, at deadline: UInt64) {
        Task { [self] in
            var due = deadline
            while true {
                let now = timeSource.monotonicNanoseconds()
                if due > now { try? await Task.sleep(nanoseconds: due - now) }
                let action = withState { state, _ in state.expireDeadline(now: timeSource.monotonicNanoseconds(), token: token) }
                switch action {
                case .none: return
                case let .resume(waiter):
                    waiter.resume(returning: .timedOut)
                    return
                case let .checkAgain(at: time): due = time
                }
            }
        }
    }
}
