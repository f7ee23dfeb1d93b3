import Foundation
import PostgresCDCBase

/// A time source for tests: both clocks stand still until the test moves them.
///
/// Give it wherever the library takes a ``TimeSource`` (for example `StreamConfiguration.timeSource`) to test
/// what depends on time — deadlines, intervals, the timestamps written — with fixed values:
///
/// ```swift
/// let time = ManualTimeSource(unixMicroseconds: 1_767_225_600_000_000)  // 2026-01-01T00:00:00Z
/// time.advance(byNanoseconds: 1_500_000_000)
/// ```
public final class ManualTimeSource: TimeSource, @unchecked Sendable {
    // @unchecked: both readings are guarded by `lock`.
    private let lock = NSLock()
    private var monotonic: UInt64
    private var wall: Int64

    /// A time source reading `unixMicroseconds` on the wall clock and `monotonicNanoseconds` on the monotonic one.
    public init(unixMicroseconds: Int64 = 1_767_225_600_000_000, monotonicNanoseconds: UInt64 = 1_000_000_000) {
        self.wall = unixMicroseconds
        self.monotonic = monotonicNanoseconds
    }

    public func monotonicNanoseconds() -> UInt64 {
        lock.withLock { monotonic }
    }

    public func unixMicroseconds() -> Int64 {
        lock.withLock { wall }
    }

    /// Moves both clocks forward by `nanoseconds` (the wall clock by whole microseconds).
    public func advance(byNanoseconds nanoseconds: UInt64) {
        lock.withLock {
            monotonic &+= nanoseconds
            wall &+= Int64(nanoseconds / 1000)
        }
    }

    /// Moves both clocks forward by `seconds`.
    public func advance(bySeconds seconds: Double) {
        advance(byNanoseconds: UInt64(max(0, seconds) * 1e9))
    }

    /// Sets the wall clock alone (as an NTP step would); the monotonic clock does not move.
    public func setWallClock(unixMicroseconds: Int64) {
        lock.withLock { wall = unixMicroseconds }
    }
}
