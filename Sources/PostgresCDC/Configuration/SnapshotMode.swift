/// Whether a stream starts by copying the rows that already exist.
public enum SnapshotMode: String, Sendable, CaseIterable {
    /// Never copy; stream changes only.
    case never
    /// Create the slot exporting a snapshot, copy every published table as of the slot's
    /// consistent point (`read` events), then stream the changes after it. Needs a new slot.
    case initial
    /// Like ``initial``, then stop: no slot is left behind.
    case initialOnly = "initial-only"
    /// ``initial`` when the slot does not exist yet (and may be created), ``never`` otherwise.
    case whenNeeded = "when-needed"
}

/// One table of a snapshot finished copying.
public struct SnapshotProgress: Sendable {
    /// `schema.table`.
    public let table: String
    /// Rows copied.
    public let rows: Int
    /// Seconds the copy took.
    public let seconds: Double
    /// The planner's estimate of the table's rows.
    public let estimatedRows: Int
    /// Tables finished so far, and in all.
    public let tablesDone: Int
    /// Tables in the snapshot.
    public let tablesTotal: Int
}
