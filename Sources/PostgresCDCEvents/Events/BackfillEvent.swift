import PGOutput

/// A backfill started or ended (``ChangeEvent/backfill(_:)``): its rows, ``ChangeEvent/read(_:)``
/// events with ``RowChange/backfill`` set, come between the two.
public struct BackfillEvent: Sendable {
    /// Whether the backfill started or ended, and how it ended.
    public enum Kind: String, Sendable, Codable {
        /// The request was accepted; its rows follow.
        case started
        /// Every row the request selects was handed out.
        case completed
        /// `pgcdc backfill --cancel` (or ``ChangeStream/cancelBackfill(id:)``) stopped it.
        case cancelled
        /// It could not go on: the table was dropped or left the publication, the condition failed
        /// (``reason`` says what happened). The rows handed out before stay valid.
        case aborted
        /// The request was refused before any row was read (``reason`` says why: no primary key,
        /// not published, left out by the stream's filters).
        case refused
    }

    /// What happened.
    public let kind: Kind
    /// The backfill's id.
    public let id: String
    /// The table, `schema.table`.
    public let table: String
    /// The request's condition, if any.
    public let whereClause: String?
    /// Rows handed out so far (all of them, once ended).
    public let rows: Int
    /// The planner's estimate of the table's rows (`pg_class.reltuples`) when it started.
    public let estimatedRows: Int
    /// Why it was aborted or refused.
    public let reason: String?
    /// The transaction whose WAL position the event takes: the request's, or the chunk's watermark.
    public let transaction: TransactionInfo
    /// 0-based position of the event in its transaction.
    public let seq: Int
    /// The WAL position of the message that brought it.
    public let lsn: LSN

    /// A backfill event, as the backfill machine hands it out.
    package init(
        kind: Kind, id: String, table: String, whereClause: String?, rows: Int, estimatedRows: Int, reason: String?,
        transaction: TransactionInfo, seq: Int, lsn: LSN
    ) {
        self.kind = kind
        self.id = id
        self.table = table
        self.whereClause = whereClause
        self.rows = rows
        self.estimatedRows = estimatedRows
        self.reason = reason
        self.transaction = transaction
        self.seq = seq
        self.lsn = lsn
    }
}

/// The backfill a ``RowChange/backfill`` row belongs to, and the row's key (which names it
/// stably across restarts, for sinks that drop repeats by id).
package final class BackfillTag: Sendable {
    /// The backfill's id.
    package let id: String
    /// The row's primary key values in text form, separated by unit separators.
    package let key: String

    package init(id: String, key: String) {
        self.id = id
        self.key = key
    }
}
