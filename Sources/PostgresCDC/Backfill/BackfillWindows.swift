/// The watermark windows of DBLog's algorithm, pure: which keys of a table changed between a
/// chunk's low and high watermarks in the stream.
///
/// A chunk is read after its low watermark committed and before its high one, so its rows are
/// the table as of some moment between the two. A row whose key changed between them (inserted,
/// updated, deleted, or moved away from or to that key) is dropped from the chunk: the change
/// events, handed out before the high watermark, carry its state as new as or newer than the read.
/// Every other row is exactly what the table held at the high watermark, and is handed out there,
/// before any later change. So no row is ever handed out older than a change already handed out.
///
/// "Between the two marks" is about visibility, not only WAL order: a transaction whose commit is
/// in the WAL before the low watermark can still be invisible to the read (PostgreSQL makes a
/// commit visible only after writing it, and a synchronous standby can hold it there for long).
/// Its change went out before the window opened, so the window cannot drop the row; instead
/// ``close(_:readWhileRunning:)`` finds such a transaction among the ones the read saw running
/// (``ReadSnapshot``) and the chunk is read again.
///
/// One exception to "the change events carry the state": an update that left a TOAST value out
/// (unchanged) does not carry it. Such a row is read again with a later chunk (its key is kept in
/// ``BackfillProgress/pendingKeys``) until a window passes in which it did not change.
struct BackfillWindows {
    private struct Window {
        var backfill: String
        var table: UInt32
        var keyColumns: [String]
        /// Key → whether the row must be read again: its last change in the window was an update
        /// that left a TOAST value out (unchanged), so no event carries that value.
        var changed: [String: Bool] = [:]
        /// The transactions handed out before the window opened (the last ``recentCapacity``).
        var handedOutBefore: [UInt32]
    }

    /// How a window closed.
    enum Closing: Equatable {
        /// It was never opened: its low watermark came before this session, or from another reader.
        case notOpened
        /// Transaction `xid` was handed out before the window opened but was still running for the
        /// read, so the read may be older than its change: the chunk must be read again.
        case readTooEarly(xid: UInt32)
        /// The keys that changed in the window, each with whether its row must be read again (see
        /// ``observe(_:)``).
        case changed([String: Bool])
    }

    /// Transactions remembered as handed out, for ``Closing/readTooEarly(xid:)``. A transaction stays
    /// invisible after its commit only while its backend finishes the commit (or waits for a
    /// synchronous standby), so it is among the last few handed out before the window opens.
    static let recentCapacity = 4096

    private var windows: [String: Window] = [:]
    private var tables: [UInt32: Int] = [:]
    /// The ids of the last ``recentCapacity`` transactions handed out, a ring.
    private var recent: [UInt32] = []
    private var recentNext = 0

    package init() {}

    /// Whether no window is open (the common case: nothing to look at per change).
    package var isEmpty: Bool { windows.isEmpty }

    /// Opens the window of `plan`'s chunk at its low watermark.
    package mutating func open(_ plan: BackfillReader.Plan) {
        guard windows[plan.chunk] == nil else { return }
        windows[plan.chunk] = Window(backfill: plan.backfill, table: plan.table, keyColumns: plan.keyColumns, handedOutBefore: recent)
        tables[plan.table, default: 0] += 1
    }

    /// Notes that transaction `xid` was handed out (at its commit).
    mutating func noteHandedOut(_ xid: UInt32) {
        if recent.count < Self.recentCapacity {
            recent.append(xid)
        } else {
            recent[recentNext] = xid
            recentNext = recentNext + 1 == Self.recentCapacity ? 0 : recentNext + 1
        }
    }

    /// Notes the keys `change` touches, for every window open on its table.
    mutating func observe(_ change: RowChange) {
        guard tables[change.relation.oid] != nil else { return }
        for (chunk, window) in windows where window.table == change.relation.oid {
            let indexes = window.keyColumns.compactMap { change.relation.columnIndex(named: $0) }
            guard indexes.count == window.keyColumns.count else { continue }
            if let old = change.old { windows[chunk]?.changed[Self.key(of: old, at: indexes)] = false }
            if let new = change.new {
                let partial = (0..<new.tuple.columns.count).contains { new.tuple.columns[$0].kind == .unchangedToast }
                windows[chunk]?.changed[Self.key(of: new, at: indexes)] = partial
            }
        }
    }

    /// Closes the window of `chunk` at its high watermark; `snapshot` lists the transactions its
    /// read saw running (`nil` when the chunk is not at hand).
    package mutating func close(_ chunk: String, readWhileRunning snapshot: ReadSnapshot?) -> Closing {
        guard let window = remove(chunk) else { return .notOpened }
        if let snapshot, !snapshot.running.isEmpty {
            let running = Set(snapshot.running)
            if let xid = window.handedOutBefore.first(where: { running.contains($0) }) { return .readTooEarly(xid: xid) }
        }
        return .changed(window.changed)
    }

    /// Closes every window of backfill `id` (cancelled or ended).
    mutating func closeAll(of id: String) {
        for (chunk, window) in windows where window.backfill == id { _ = remove(chunk) }
    }

    private mutating func remove(_ chunk: String) -> Window? {
        guard let window = windows.removeValue(forKey: chunk) else { return nil }
        if let count = tables[window.table], count > 1 { tables[window.table] = count - 1 } else { tables[window.table] = nil }
        return window
    }

    /// A row's key: its key columns' text forms (as the server writes them, whether the value came
    /// as text or binary), joined by a unit separator.
    package static func key(of row: Row, at indexes: [Int]) -> String {
        var key = ""
        for (position, index) in indexes.enumerated() {
            if position > 0 { key.append("\u{1F}") }
            key.append(row.text(at: index) ?? "\u{0}")
        }
        return key
    }
}
