#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How long to wait before trying again after failures: `base` after the first, multiplied by
/// `factor` after each further one, at most `cap` — then, with `jitter`, a random part of that
/// taken off, so that many clients that failed together do not retry in step.
///
/// The one backoff of the library: reconnecting a stream, re-reading a backfill chunk, publishing
/// to JetStream again. The random source is a parameter, so tests get fixed delays.
public struct Backoff: Sendable, Equatable {
    /// The wait after the first failure, in seconds.
    public var base: Double
    /// What each further failure multiplies the wait by.
    public var factor: Double
    /// The longest wait, in seconds.
    public var cap: Double
    /// The part of the wait that may be taken off at random, from 0 (none: the wait is exact) to 1
    /// (anything between nothing and the whole wait).
    public var jitter: Double

    /// A backoff; by default without jitter.
    public init(base: Double, factor: Double = 2, cap: Double, jitter: Double = 0) {
        self.base = base
        self.factor = factor
        self.cap = cap
        self.jitter = jitter
    }

    /// The wait in seconds after `failures` failures in a row (1 for the first; less counts as 1),
    /// with the jitter drawn from `random`.
    public func delay(afterFailures failures: Int, using random: inout some RandomNumberGenerator) -> Double {
        let full = undisturbedDelay(afterFailures: failures)
        guard jitter > 0 else { return full }
        return full * Double.random(in: (1 - min(jitter, 1))...1, using: &random)
    }

    /// ``delay(afterFailures:using:)`` with the system's random numbers.
    public func delay(afterFailures failures: Int) -> Double {
        var random = SystemRandomNumberGenerator()
        return delay(afterFailures: failures, using: &random)
    }

    /// The wait after `failures` failures before any jitter: `base × factor^(failures − 1)`, at most `cap`.
    public func undisturbedDelay(afterFailures failures: Int) -> Double {
        guard base > 0 else { return 0 }
        // Bounded so that a count of failures near Int.max costs nothing; a power that overflows
        // to infinity is past any cap.
        let exponent = Double(min(max(failures - 1, 0), 1 << 16))
        return min(cap, base * pow(factor, exponent))
    }
}
