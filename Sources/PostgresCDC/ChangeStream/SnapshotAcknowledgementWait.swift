import Logging
import PGOutput

/// A stream that handed out a snapshot's completion and waits for its acknowledgement streams no
/// change until it comes — a consumer that forgets it would wait forever without a word. Past
/// ``firstWarning`` of waiting, and every ``repeatWarning`` after, this says so in the log.
struct SnapshotAcknowledgementWait {
    static let firstWarning: UInt64 = 5_000_000_000
    static let repeatWarning: UInt64 = 30_000_000_000

    private var since: UInt64?
    private var lastWarning: UInt64?

    /// The stream is waiting at `now` (monotonic nanoseconds); logs a warning when one is due.
    mutating func waiting(now: UInt64, slot: String, lsn: LSN, logger: Logger) {
        guard let since else {
            self.since = now
            return
        }
        guard now &- since >= Self.firstWarning, lastWarning.map({ now &- $0 >= Self.repeatWarning }) ?? true else { return }
        lastWarning = now
        logger.warning(
            """
            the stream waits for the initial snapshot to be acknowledged: store the .read rows, then call acknowledge(through:) \
            with the .snapshotCompleted event's consistentPoint (ChangeStream.run does both by itself); no change is streamed until then
            """,
            metadata: ["slot": "\(slot)", "lsn": "\(lsn)", "waiting_s": "\((now &- since) / 1_000_000_000)"]
        )
    }
}
