import Testing
@testable import PostgresCDC

/// The handoff between a producing thread and its consumer without threads or a clock:
/// back-pressure, the order of a failure, stopping, ending, deadlines and idle reports.
@Suite struct HandoffStateTests {
    struct Failure: Error, Equatable {
        var reason: String
    }

    /// Elements are numbers, a waiting consumer is named by a string.
    typealias State = HandoffState<Int, Failure, String>

    /// What a pull did, in words.
    static func describe(_ action: State.PullAction) -> String {
        switch action {
        case let .deliver(delivery, wakeProducer): describe(delivery) + (wakeProducer ? " (wake the producer)" : "")
        case .suspended: "suspended"
        case .wait: "wait"
        }
    }

    static func describe(_ delivery: HandoffDelivery<Int, Failure>) -> String {
        switch delivery {
        case let .element(element): "\(element)"
        case .idle: "idle"
        case .timedOut: "timed out"
        case .end: "end"
        case let .failed(failure): "failed: \(failure.reason)"
        case .closed: "closed"
        }
    }

    /// Whom a change wakes, in words.
    static func describe(_ wake: State.Wake) -> String {
        var words: [String] = []
        if case let (waiter, delivery)? = wake.resume { words.append("resume \(waiter) with \(describe(delivery))") }
        if wake.threads { words.append("wake threads") }
        return words.isEmpty ? "nobody" : words.joined(separator: ", ")
    }

    /// Whether a producer may push (outside `#expect`, which cannot call a mutating member).
    static func check(_ state: inout State) -> State.ProducerCheck {
        state.checkProducer()
    }

    /// Pulls without waiting until the consumer would have to wait.
    static func drain(_ state: inout State) -> [String] {
        var pulled: [String] = []
        while case let .deliver(delivery, _) = state.pull(now: 0) {
            pulled.append(describe(delivery))
            if case .element = delivery { continue }
            break
        }
        return pulled
    }

    @Test func aFullBufferStopsTheProducerAndRoomWakesIt() {
        var state = State(capacity: 2)
        let first = state.checkProducer()
        #expect(first == .ready)
        _ = state.push(1)
        _ = state.push(2)
        let full = state.checkProducer()
        #expect(full == .waitForRoom)
        #expect(Self.describe(state.pull(now: 0)) == "1 (wake the producer)")
        let room = state.checkProducer()
        #expect(room == .ready)
        #expect(Self.describe(state.pull(now: 0)) == "2", "no producer waits any more")
    }

    @Test func anElementPushedWhileTheConsumerWaitsGoesStraightToIt() {
        var state = State(capacity: 2)
        #expect(Self.describe(state.pull(now: 0, waiter: "consumer")) == "suspended")
        #expect(state.consumerIsWaiting)
        #expect(Self.describe(state.push(5)) == "resume consumer with 5")
        #expect(state.bufferedCount == 0)
        #expect(!state.consumerIsWaiting)
    }

    @Test func aBlockedConsumerIsWokenByThePushThatItWaitsFor() {
        var state = State(capacity: 2)
        #expect(Self.describe(state.pull(now: 0)) == "wait")
        #expect(Self.describe(state.push(1)) == "wake threads")
        #expect(Self.describe(state.push(2)) == "nobody", "the consumer was woken already")
        #expect(Self.drain(&state) == ["1", "2"])
    }

    @Test func theFailureComesAfterTheElementsBufferedBeforeItAndOnlyOnce() {
        var state = State(capacity: 4)
        _ = state.push(1)
        _ = state.push(2)
        #expect(Self.describe(state.finish(failure: Failure(reason: "lost"))) == "wake threads")
        #expect(Self.check(&state) == .done, "other producers stop")
        #expect(Self.drain(&state) == ["1", "2", "failed: lost"])
        #expect(Self.describe(state.pull(now: 0)) == "end")
    }

    @Test func aFailureGoesStraightToAWaitingConsumer() {
        var state = State(capacity: 4)
        _ = state.pull(now: 0, waiter: "consumer")
        #expect(Self.describe(state.finish(failure: Failure(reason: "lost"))) == "resume consumer with failed: lost, wake threads")
        #expect(Self.describe(state.pull(now: 0)) == "end")
    }

    @Test func aFinishedProducerEndsTheConsumerAfterTheBufferAndOnlyTheFirstFinishCounts() {
        var state = State(capacity: 4)
        _ = state.push(1)
        _ = state.finish(failure: nil)
        #expect(Self.describe(state.finish(failure: Failure(reason: "late"))) == "nobody")
        #expect(Self.describe(state.push(2)) == "nobody")
        #expect(Self.drain(&state) == ["1", "end"])
    }

    @Test func stoppingEndsAWaitingConsumerAndTheProducer() {
        var state = State(capacity: 1)
        _ = state.pull(now: 0, waiter: "consumer")
        #expect(Self.describe(state.stop()) == "resume consumer with end, wake threads")
        #expect(Self.check(&state) == .done)
        #expect(state.isStopped)
    }

    @Test func aStoppedHandoffStillHandsOutWhatWasBufferedThenEnds() {
        var state = State(capacity: 4)
        _ = state.push(1)
        _ = state.stop()
        #expect(Self.drain(&state) == ["1", "end"])
    }

    @Test func endingTheIterationEndsPullsWhateverIsBufferedAndClosingSaysSo() {
        var state = State(capacity: 4)
        _ = state.push(1)
        _ = state.pull(now: 0)
        _ = state.push(2)
        #expect(Self.describe(state.endConsuming(closing: false)) == "nobody")
        #expect(Self.describe(state.pull(now: 0)) == "end")
        #expect(Self.check(&state) == .ready, "the producer goes on: the batch in hand is still acknowledged")
        _ = state.endConsuming(closing: true)
        #expect(Self.describe(state.pull(now: 0)) == "closed")
        #expect(state.isClosed)
    }

    @Test func aPullWhoseDeadlinePassedTimesOutAtOnce() {
        var state = State(capacity: 4)
        #expect(Self.describe(state.pull(now: 10, deadline: 10)) == "timed out")
        _ = state.push(1)
        #expect(Self.describe(state.pull(now: 10, deadline: 10)) == "1", "an element buffered comes first")
    }

    @Test func aWaitingPullTimesOutOnceItsDeadlinePasses() {
        var state = State(capacity: 4)
        guard case let .suspended(token) = state.pull(now: 5, deadline: 10, waiter: "consumer") else {
            Issue.record("the pull should wait")
            return
        }
        guard case .checkAgain(at: 10) = state.expireDeadline(now: 9, token: token) else {
            Issue.record("too early: check again at the deadline")
            return
        }
        guard case .resume("consumer") = state.expireDeadline(now: 10, token: token) else {
            Issue.record("the deadline passed: the consumer times out")
            return
        }
        guard case .none = state.expireDeadline(now: 11, token: token) else {
            Issue.record("nobody waits any more")
            return
        }
        #expect(!state.consumerIsWaiting)
    }

    @Test func theTimerOfAnEarlierPullDoesNotEndALaterOne() {
        var state = State(capacity: 4)
        guard case let .suspended(first) = state.pull(now: 0, deadline: 10, waiter: "first") else {
            Issue.record("the pull should wait")
            return
        }
        _ = state.push(1)  // the first pull got an element
        guard case let .suspended(second) = state.pull(now: 5, deadline: 100, waiter: "second") else {
            Issue.record("the pull should wait")
            return
        }
        #expect(first != second)
        guard case .none = state.expireDeadline(now: 10, token: first) else {
            Issue.record("the first pull's timer has nobody to end")
            return
        }
        #expect(state.consumerIsWaiting)
    }

    @Test func anIdleProducerIsReportedToAConsumerThatAskedOnly() {
        var state = State(capacity: 4)
        _ = state.pull(now: 0, waiter: "not asking")
        #expect(Self.describe(state.producerIsIdle()) == "nobody")
        _ = state.push(1)
        #expect(Self.describe(state.pull(now: 0, reportIdle: true)) == "wait", "a push ends the idle spell")
        _ = state.pull(now: 0, reportIdle: true, waiter: "asking")
        #expect(Self.describe(state.producerIsIdle()) == "resume asking with idle")
        #expect(Self.describe(state.pull(now: 0, reportIdle: true)) == "idle", "still idle: told at once")
        #expect(Self.describe(state.pull(now: 0, reportIdle: false)) == "wait")
    }

    @Test func aReservedPlaceKeepsTheOrderOfElementsPushedAfterIt() {
        var state = State(capacity: 4)
        let ticket = state.reserve()
        _ = state.push(2)
        #expect(state.bufferedCount == 2)
        #expect(Self.describe(state.pull(now: 0)) == "wait", "the first element is still being prepared")
        #expect(Self.describe(state.fill(ticket, with: 1)) == "wake threads")
        #expect(Self.drain(&state) == ["1", "2"])
        #expect(Self.describe(state.fill(ticket, with: 9)) == "nobody", "a ticket fills once")
    }

    @Test func elementsAreTakenAndDiscardedOutOfOrder() {
        var state = State(capacity: 2)
        _ = state.push(1)
        _ = state.push(2)
        #expect(Self.check(&state) == .waitForRoom)
        let taken = state.take(where: { $0 == 2 })
        #expect(taken?.element == 2)
        #expect(taken?.wakeProducer == true)
        let again = state.take(where: { $0 == 2 })
        #expect(again == nil)
        _ = state.push(3)
        _ = state.push(4)
        _ = state.discard(where: { $0 == 3 })
        #expect(state.bufferedElements == [1, 4])
        #expect(Self.drain(&state) == ["1", "4"])
    }

    @Test func droppingTheBufferWakesAProducerWaitingForRoom() {
        var state = State(capacity: 1)
        _ = state.push(1)
        #expect(Self.check(&state) == .waitForRoom)
        let wakes = state.dropBuffered()
        #expect(wakes)
        #expect(state.bufferedCount == 0)
        #expect(Self.describe(state.pull(now: 0)) == "wait")
    }

    @Test func aConsumerThatNeverEmptiesTheBufferStillGetsEveryElementInOrder() {
        var state = State(capacity: 3)
        var pulled: [Int] = []
        for element in 0..<20 {
            _ = state.push(element)
            if element % 2 == 1, case let .deliver(.element(taken), _) = state.pull(now: 0) { pulled.append(taken) }
        }
        while case let .deliver(.element(taken), _) = state.pull(now: 0) { pulled.append(taken) }
        #expect(pulled == Array(0..<20))
    }
}
