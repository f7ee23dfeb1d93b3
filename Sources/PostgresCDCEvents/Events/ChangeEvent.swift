import PGOutput

/// One event of the change stream, in commit order.
public enum ChangeEvent: Sendable {
    /// A transaction starts (only when transaction boundaries were asked for).
    case begin(TransactionInfo)
    /// A row was inserted (``RowChange/new`` holds it).
    case insert(RowChange)
    /// A row was updated (``RowChange/new``, and ``RowChange/old`` when the server sent it).
    case update(RowChange)
    /// A row was deleted (``RowChange/old`` holds its key, or the whole row with REPLICA IDENTITY FULL).
    case delete(RowChange)
    /// A row as the initial snapshot found it (``RowChange/new`` holds it; its transaction's
    /// commit LSN is the slot's consistent point), or as a backfill read it (``RowChange/backfill``
    /// names the backfill; its transaction is the chunk's high watermark).
    case read(RowChange)
    /// A table's description changed (a column added, dropped, renamed or retyped; the replica
    /// identity changed): handed out before the first row event that uses the new description.
    case schema(SchemaChange)
    /// The initial snapshot is complete: every published row as of ``SnapshotSummary/consistentPoint``
    /// was handed out; changes follow. Acknowledge it (its consistent point) like a commit.
    case snapshotCompleted(SnapshotSummary)
    /// Tables were truncated.
    case truncate(TruncateChange)
    /// A logical decoding message (`pg_logical_emit_message`).
    case message(LogicalDecodingMessageEvent)
    /// A backfill started or ended (see ``BackfillRequest``).
    case backfill(BackfillEvent)
    /// Changes were lost: the slot could not be continued and was re-created (``StreamConfiguration/onGap``
    /// is ``GapPolicy/resnapshot``); the tables are read again by backfills or a snapshot (see ``SlotGap``).
    case gap(SlotGap)
    /// A DDL command committed (with the event trigger `pgcdc ddl install` creates; see ``DDLEvent``).
    case ddl(DDLEvent)
    /// A transaction committed. A ``ChangeStream`` hands one out after every transaction (acknowledge it once the
    /// transaction's changes are stored); a ``SinkStream`` writes its line only with ``SinkStream/includeTransactionLines``
    /// or for a sink that needs it.
    case commit(CommitEvent)
}

/// An insert, update or delete of one row.
public struct RowChange: Sendable {
    /// Which kind of change.
    public enum Operation: String, Sendable {
        case insert, update, delete
        /// A row of the initial snapshot (``ChangeEvent/read(_:)``).
        case read
    }

    /// Which kind of change.
    public let operation: Operation
    /// The transaction the change belongs to.
    public let transaction: TransactionInfo
    /// 0-based position of the event in its transaction.
    public let seq: Int
    /// The WAL position of the change (not unique).
    public let lsn: LSN
    /// The table.
    public let relation: Relation
    /// The old row: deletes always; updates when the key changed or REPLICA IDENTITY FULL.
    public let old: Row?
    /// The new row: inserts and updates.
    public let new: Row?
    /// For a backfilled row, the backfill and the row's key.
    package var backfillTag: BackfillTag? = nil

    /// The id of the backfill that read this row (a ``ChangeEvent/read(_:)`` of a backfill, not of
    /// the initial snapshot); `nil` otherwise.
    public var backfill: String? { backfillTag?.id }
}

/// A TRUNCATE of one or more tables.
public struct TruncateChange: Sendable {
    /// The transaction.
    public let transaction: TransactionInfo
    /// 0-based position of the event in its transaction.
    public let seq: Int
    /// The WAL position.
    public let lsn: LSN
    /// The truncated tables.
    public let relations: [Relation]
    /// `TRUNCATE ... CASCADE`.
    public let cascade: Bool
    /// `TRUNCATE ... RESTART IDENTITY`.
    public let restartIdentity: Bool
}

/// A message written with `pg_logical_emit_message`.
public struct LogicalDecodingMessageEvent: Sendable {
    /// The transaction, for a transactional message; `nil` otherwise.
    public let transaction: TransactionInfo?
    /// 0-based position in its transaction (0 for a non-transactional message).
    public let seq: Int
    /// The WAL position of the message.
    public let lsn: LSN
    /// The prefix the writer chose.
    public let prefix: String
    /// The payload bytes.
    public let content: [UInt8]
}

/// The end of a transaction.
public struct CommitEvent: Sendable {
    /// The transaction.
    public let transaction: TransactionInfo
    /// The end of the commit record: the position to confirm once everything before it is stored.
    public let endLSN: LSN
    /// How many events the transaction had.
    public let eventCount: Int
}

extension ChangeEvent {
    /// A row event wrapped by its operation: `.insert`, `.update` or `.delete` of `change`.
    package static func row(_ change: RowChange) -> ChangeEvent {
        switch change.operation {
        case .insert: return .insert(change)
        case .update: return .update(change)
        case .delete: return .delete(change)
        case .read: return .read(change)
        }
    }

    /// The row change of an insert, update or delete event; `nil` for other events.
    public var rowChange: RowChange? {
        switch self {
        case let .insert(change), let .update(change), let .delete(change), let .read(change): return change
        default: return nil
        }
    }

    /// The commit LSN of the transaction the event belongs to (its own LSN for a non-transactional message).
    public var commitLSN: LSN {
        switch self {
        case let .begin(transaction): return transaction.commitLSN
        case let .insert(change), let .update(change), let .delete(change), let .read(change): return change.transaction.commitLSN
        case let .snapshotCompleted(summary): return summary.consistentPoint
        case let .schema(change): return change.transaction.commitLSN
        case let .truncate(change): return change.transaction.commitLSN
        case let .message(message): return message.transaction?.commitLSN ?? message.lsn
        case let .backfill(event): return event.transaction.commitLSN
        case let .ddl(event): return event.transaction.commitLSN
        case let .gap(gap): return gap.resumedAt
        case let .commit(commit): return commit.transaction.commitLSN
        }
    }
}

/// What an initial snapshot copied.
public struct SnapshotSummary: Sendable {
    /// The slot's consistent point: the snapshot shows the database exactly as of this LSN, and
    /// changes are streamed from it.
    public let consistentPoint: LSN
    /// Tables copied.
    public let tables: Int
    /// Rows handed out.
    public let rows: Int

    /// What a snapshot copied, as it ends.
    package init(consistentPoint: LSN, tables: Int, rows: Int) {
        self.consistentPoint = consistentPoint
        self.tables = tables
        self.rows = rows
    }
}

/// A table whose description changed between two Relation messages.
public struct SchemaChange: Sendable {
    /// The transaction whose first change used the new description.
    public let transaction: TransactionInfo
    /// 0-based position of the event in its transaction.
    public let seq: Int
    /// The WAL position of the Relation message.
    public let lsn: LSN
    /// The description before.
    public let old: Relation
    /// The description now.
    public let new: Relation
}
