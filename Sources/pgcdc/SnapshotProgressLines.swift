import Foundation
import PostgresCDC

/// The lines `pgcdc stream` prints on stderr while a snapshot copies its tables: one per table,
/// and a summary after the last. Time comes in as monotonic nanoseconds, so the text is testable.
struct SnapshotProgressLines {
    /// When the stream started (monotonic nanoseconds): the summary counts from there.
    private let started: UInt64
    /// Rows copied so far, over every table.
    private var rows = 0

    /// Lines for a snapshot of a stream started at `started` (monotonic nanoseconds).
    init(started: UInt64) {
        self.started = started
    }

    /// The line for one table copied, followed by the summary when it was the last; `now` is monotonic nanoseconds.
    mutating func record(_ step: SnapshotProgress, now: UInt64) -> String {
        record(
            table: step.table, rows: step.rows, seconds: step.seconds, estimatedRows: step.estimatedRows,
            tablesDone: step.tablesDone, tablesTotal: step.tablesTotal, now: now)
    }

    /// ``record(_:now:)`` with the step's parts (a ``SnapshotProgress`` is made by the library only).
    mutating func record(
        table: String, rows tableRows: Int, seconds: Double, estimatedRows: Int, tablesDone: Int, tablesTotal: Int, now: UInt64
    ) -> String {
        let rate = seconds > 0 ? Int(Double(tableRows) / seconds) : tableRows
        let share = estimatedRows > 0 ? " (\(min(999, tableRows * 100 / estimatedRows))% of the estimate)" : ""
        var text =
            "snapshot \(tablesDone)/\(tablesTotal) \(table): \(tableRows) rows in "
            + "\(String(format: "%.2f", seconds)) s, \(rate) rows/s\(share)\n"
        rows += tableRows
        if tablesDone == tablesTotal {
            let total = Double(now >= started ? now - started : 0) / 1e9
            text +=
                "snapshot done: \(rows) rows of \(tablesTotal) tables in \(String(format: "%.2f", total)) s, "
                + "\(total > 0 ? Int(Double(rows) / total) : rows) rows/s\n"
        }
        return text
    }
}
