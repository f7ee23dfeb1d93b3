/// The transactions a chunk's read could not see: those still running when its snapshot was
/// taken, as `pg_current_snapshot()` lists them (`xmin:xmax:xip,…`).
///
/// PostgreSQL writes a commit into the WAL before the transaction becomes visible to other
/// snapshots; in between (for microseconds, or as long as a synchronous standby takes to answer)
/// the transaction is already in the stream but a read does not see it. A chunk read while a
/// transaction that the stream handed out before the chunk's low watermark was in that state may
/// hold a row older than that transaction's change (see ``BackfillWindows/close(_:readWhileRunning:)``).
struct ReadSnapshot: Sendable, Equatable {
    /// The running transactions' ids, 32 bits wide as pgoutput sends them.
    package var running: [UInt32]

    package init(running: [UInt32]) {
        self.running = running
    }

    /// Reads `pg_current_snapshot()`'s text form; `nil` when it is not one.
    package init?(text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, UInt64(parts[0]) != nil, UInt64(parts[1]) != nil else { return nil }
        var running: [UInt32] = []
        for id in parts[2].split(separator: ",") {
            // A full 64-bit id (epoch and xid): the stream's ids are its low 32 bits.
            guard let full = UInt64(id) else { return nil }
            running.append(UInt32(truncatingIfNeeded: full))
        }
        self.running = running
    }
}
