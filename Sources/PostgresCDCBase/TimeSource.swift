#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where pgcdc reads the time: a monotonic clock for intervals and deadlines, and the wall clock
/// for the timestamps it writes (`ts_ms`, a snapshot's commit time, lag).
///
/// The library reads time only through a time source, never from the system directly, so a test can
/// fix it: `ManualTimeSource` of the `PostgresCDCTesting` product moves only when told to.
public protocol TimeSource: Sendable {
    /// Nanoseconds of a clock that never goes back (`CLOCK_MONOTONIC`); only differences between
    /// two readings mean something.
    func monotonicNanoseconds() -> UInt64
    /// Microseconds since 1970-01-01 00:00:00 UTC (`CLOCK_REALTIME`).
    func unixMicroseconds() -> Int64
}

/// The system's clocks: `CLOCK_MONOTONIC` and `CLOCK_REALTIME`.
public struct SystemTimeSource: TimeSource {
    /// The system's clocks.
    public init() {}

    @inlinable
    public func monotonicNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    @inlinable
    public func unixMicroseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) &* 1_000_000 &+ Int64(spec.tv_nsec / 1000)
    }
}

extension TimeSource where Self == SystemTimeSource {
    /// The system's clocks (the default wherever a time source can be given).
    public static var system: SystemTimeSource { SystemTimeSource() }
}
