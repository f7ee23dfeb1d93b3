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
/// One exception to "the change events carry the state": an update that left a TOAST value out
/// (unchanged) does not carry it. Such a row is read again with a later chunk (its key is kept in
/// ``BackfillProgress/pendingKeys``) until a window passes in which it did not change.
package struct BackfillWindows {
    private struct Window {
        var backfill: String
        var table: UInt32
        var keyColumns: [String]
        /// Key → whether the row must be read again: its last change in the window was an update
        /// that left a TOAST value out (unchanged), so no event carries that value.
        var changed: [String: Bool] = [:]
    }

    private var windows: [String: Window] = [:]
    private var tables: [UInt32: Int] = [:]

    package init() {}

    /// Whether no window is open (the common case: nothing to look at per change).
    package var isEmpty: Bool { windows.isEmpty }

    /// Opens the window of `plan`'s chunk at its low watermark.
    package mutating func open(_ plan: BackfillReader.Plan) {
        guard windows[plan.chunk] == nil else { return }
        windows[plan.chunk] = Window(backfill: plan.backfill, table: plan.table, keyColumns: plan.keyColumns)
        tables[plan.table, default: 0] += 1
    }

    /// Notes the keys `change` touches, for every window open on its table.
    package mutating func observe(_ change: RowChange) {
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

    /// Closes the window of `chunk` at its high watermark and returns the keys that changed in
    /// it, each with whether its row must be read again (see ``observe(_:)``); `nil` when it was
    /// never opened.
    package mutating func close(_ chunk: String) -> [String: Bool]? {
        guard let window = windows.removeValue(forKey: chunk) else { return nil }
        if let count = tables[window.table], count > 1 { tables[window.table] = count - 1 } else { tables[window.table] = nil }
        return window.changed
    }

    /// Closes every window of backfill `id` (cancelled or ended).
    package mutating func closeAll(of id: String) {
        for (chunk, window) in windows where window.backfill == id { _ = close(chunk) }
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
