import Testing
@testable import PostgresCDC

/// The one backoff: grows by its factor from its base, stops at its cap, and takes off at most its
/// jitter's part at random — drawn from a source the caller gives, so the delays here are fixed.
@Suite struct BackoffTests {
    /// A random source that always returns the same value. Never 0: the standard library draws a
    /// number in a range by rejecting the values that would bias it, and a source that returns 0
    /// for ever is rejected for ever (the test hung in CI).
    struct FixedRandom: RandomNumberGenerator {
        var value: UInt64
        mutating func next() -> UInt64 { value }
    }

    @Test func theWaitDoublesFromTheBaseUpToTheCap() {
        let backoff = Backoff(base: 0.5, cap: 10)
        #expect((1...7).map { backoff.delay(afterFailures: $0) } == [0.5, 1, 2, 4, 8, 10, 10])
        #expect(backoff.delay(afterFailures: 0) == 0.5)
        #expect(backoff.delay(afterFailures: .max) == 10)
    }

    @Test func theFormulasItReplacedGiveTheSameWaits() {
        // A backfill chunk read too early: min(0.01 × 2^min(n, 8), 2).
        let tooEarly = Backoff(base: 0.02, cap: 2)
        // A JetStream batch published again: min(0.2 × 2^min(n, 8), 10).
        let republish = Backoff(base: 0.4, cap: 10)
        for failures in 1...12 {
            #expect(tooEarly.delay(afterFailures: failures) == min(0.01 * Double(1 << min(failures, 8)), 2))
            #expect(republish.delay(afterFailures: failures) == min(0.2 * Double(1 << min(failures, 8)), 10))
        }
    }

    @Test func jitterTakesOffAtMostItsPartOfTheWait() {
        let backoff = Backoff(base: 0.5, cap: 30, jitter: 0.5)
        // 1 is the least value a draw in a range accepts: it gives the range's lower bound.
        var lowest = FixedRandom(value: 1)
        var highest = FixedRandom(value: .max)
        #expect(backoff.delay(afterFailures: 3, using: &lowest) == 1)
        #expect(backoff.delay(afterFailures: 3, using: &highest) <= 2)
        #expect(backoff.delay(afterFailures: 3, using: &highest) > 1.99)
        for _ in 0..<100 {
            let delay = backoff.delay(afterFailures: 7)
            #expect(delay >= 15 && delay <= 30)
        }
    }

    @Test func withoutJitterTheRandomSourceIsNotAsked() {
        var random = FixedRandom(value: 12345)
        #expect(Backoff(base: 1, factor: 3, cap: 100).delay(afterFailures: 4, using: &random) == 27)
        #expect(Backoff(base: 0, cap: 5).delay(afterFailures: 3) == 0)
    }

    @Test func theReconnectPolicysWaitsAreItsBackoffs() {
        let policy = ReconnectPolicy(maxDelay: 2)
        #expect(policy.backoff == Backoff(base: 0.5, factor: 2, cap: 2, jitter: 0.5))
        let third = policy.delay(afterFailures: 3)
        #expect(third >= 1 && third <= 2)
    }
}
