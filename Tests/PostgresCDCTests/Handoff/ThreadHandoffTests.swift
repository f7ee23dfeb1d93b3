import Foundation
import PostgresCDCTesting
import TestSupport
import Testing
@testable import PostgresCDC

/// ``ThreadHandoff`` with real threads and tasks, no server: a producer thread against an
/// asynchronous or a blocking consumer, cancellation, and deadlines on a clock the test moves.
@Suite struct ThreadHandoffTests {
    struct Failure: Error, Equatable {
        var reason: String
    }

    /// Counts what the consumer received, under the handoff's lock.
    struct Received: HandoffLedger {
        var elements: [Int] = []

        mutating func handedOut(_ element: Int) {
            elements.append(element)
        }
    }

    typealias Handoff = ThreadHandoff<Int, Failure, Received>

    /// Runs `body` on a thread of its own (it may block) and returns its result.
    static func onThread<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: body()) }.start()
        }
    }

    @Test func aProducerBlockedOnAFullBufferGoesOnAsTheConsumerTakes() async {
        let handoff = Handoff(capacity: 2, ledger: Received(), timeSource: ManualTimeSource())
        Thread {
            for element in 1...50 where !handoff.push(element) { return }
            handoff.finish(failure: nil)
        }.start()
        var pulled: [Int] = []
        while case let .element(element) = await handoff.pull() {
            pulled.append(element)
            #expect(handoff.withLedger { _, state in state.bufferedCount } <= 2)
        }
        #expect(pulled == Array(1...50))
        #expect(handoff.withLedger { ledger, _ in ledger.elements } == Array(1...50))
    }

    @Test func cancellingAWaitingConsumerEndsItsPullAndStopsTheProducer() async throws {
        let handoff = Handoff(capacity: 1, ledger: Received(), timeSource: ManualTimeSource())
        let consumer = Task { await handoff.pull() }
        let waiting = try await awaitUntil(turns: 300, every: .milliseconds(50)) {
            handoff.withLedger { _, state in state.consumerIsWaiting }
        }
        try #require(waiting)
        consumer.cancel()
        guard case .end = await consumer.value else {
            Issue.record("a cancelled pull ends")
            return
        }
        let pushed = await Self.onThread { handoff.push(1) }
        #expect(!pushed, "the producer stops")
    }

    @Test func aBlockingConsumerGetsTheBufferedElementsThenTheFailure() async {
        let handoff = Handoff(capacity: 4, ledger: Received(), timeSource: ManualTimeSource())
        let received = await Self.onThread { () -> [String] in
            Thread {
                _ = handoff.push(1)
                _ = handoff.push(2)
                handoff.finish(failure: Failure(reason: "lost"))
            }.start()
            var received: [String] = []
            while true {
                switch handoff.next() {
                case let .element(element): received.append("\(element)")
                case let .failed(failure): return received + ["failed: \(failure.reason)"]
                default: return received + ["end"]
                }
            }
        }
        #expect(received == ["1", "2", "failed: lost"])
    }

    @Test func aPullTimesOutWhenTheClockReachesItsDeadline() async throws {
        let time = ManualTimeSource()
        let handoff = Handoff(capacity: 4, ledger: Received(), timeSource: time)
        let deadline = time.monotonicNanoseconds() + 60_000_000_000
        let consumer = Task { await handoff.pull(deadline: deadline) }
        let waiting = try await awaitUntil(turns: 300, every: .milliseconds(50)) {
            handoff.withLedger { _, state in state.consumerIsWaiting }
        }
        try #require(waiting)
        handoff.expireDeadline()
        #expect(handoff.withLedger { _, state in state.consumerIsWaiting }, "the clock has not moved: still waiting")
        time.advance(bySeconds: 60)
        handoff.expireDeadline()
        guard case .timedOut = await consumer.value else {
            Issue.record("the deadline passed")
            return
        }
    }

    @Test func aWaitForATimeEndsWhenTheClockReachesItAndStoppingEndsItEarly() async {
        let time = ManualTimeSource()
        let handoff = Handoff(capacity: 4, ledger: Received(), timeSource: time)
        let deadline = time.monotonicNanoseconds() + 30_000_000_000
        let waiter = Task {
            await Self.onThread { handoff.wait { _, now in now >= deadline ? .ready(()) : .wait(until: deadline) } != nil }
        }
        time.advance(bySeconds: 30)
        // The waiting thread decides again when woken (it may start waiting after the first wake).
        let waker = Task {
            while !Task.isCancelled {
                handoff.wakeWaitingThreads()
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        #expect(await waiter.value, "the clock reached the time")
        waker.cancel()
        let paused = Task { await Self.onThread { handoff.pause(seconds: 30) } }
        handoff.stop()
        #expect(await !paused.value, "stopping ends a pause")
    }
}
