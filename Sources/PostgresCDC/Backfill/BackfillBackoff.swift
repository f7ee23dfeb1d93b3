/// The waits of a backfill before it tries again (exact: a backfill's reads are few, so they need
/// no jitter to keep out of each other's way).
enum BackfillBackoff {
    /// Between failed chunk reads or watermark writes (a lost connection, a cancelled query):
    /// 0.5 s, doubling up to 10 s.
    static let readFailure = Backoff(base: 0.5, cap: 10)
    /// Before reading a chunk again because a transaction the stream had handed out was still
    /// running when it was read: 20 ms, doubling up to 2 s (a synchronous standby can hold one for long).
    static let readTooEarly = Backoff(base: 0.02, cap: 2)
}
