import PGOutput

/// What one line of a ``SinkBatch`` encodes, so that a sink can route, name and checkpoint it
/// without reading the JSON back: the kind of event, its tables or message prefix, its id
/// (commit LSN and seq) and, for a line that completes a transaction, the position to resume from.
///
/// The stream fills these in as it encodes each event; they are the same in every
/// ``OutputFormat``, except that a Debezium truncate has a line per table (``part``). Tables are
/// the stream's shared ``Relation`` references, not copies.
public struct LineDescriptor: Sendable {
    /// The kind of event a line encodes.
    public enum Kind: UInt8, Sendable, Hashable {
        /// A row was inserted.
        case insert
        /// A row was updated.
        case update
        /// A row was deleted.
        case delete
        /// A row of the initial snapshot.
        case read
        /// Tables were truncated.
        case truncate
        /// A logical decoding message.
        case message
        /// A table's description changed.
        case schema
        /// A transaction's start (`begin`, Debezium `BEGIN`).
        case begin
        /// A transaction's end (`commit`, Debezium `END`).
        case commit
        /// The end of the initial snapshot.
        case snapshot
        /// A backfill started or ended.
        case backfill
        /// A DDL command (routed as a message with prefix `pgcdc.ddl`).
        case ddl
        /// Changes were lost and the tables are read again (routed as a message with prefix `pgcdc.gap`).
        case gap
    }

    /// What a line's event acts on.
    public enum Target: Sendable {
        /// Nothing named: a begin, commit or snapshot line.
        case none
        /// One table: a row, a schema change, a truncate of one table, or one table of a truncate
        /// written one line per table (Debezium; see ``LineDescriptor/part``).
        case table(Relation)
        /// The tables of a truncate of several tables written as one line (native format).
        case tables([Relation])
        /// The prefix of a logical decoding message.
        case messagePrefix(String)
    }

    /// The index in ``SinkBatch/lines`` just past this line's newline; the line starts where the
    /// previous one ends (the first at `lines.startIndex`).
    public var end: Int
    /// The kind of event.
    public var kind: Kind
    /// What the event acts on.
    public var target: Target
    /// The commit LSN of the event's transaction; for a non-transactional message its own LSN, for
    /// a snapshot row or the snapshot's end the consistent point. With ``seq``, the event's id.
    public var commitLSN: LSN
    /// The event's 0-based position in its transaction (0 for begin, commit and snapshot lines).
    public var seq: Int
    /// 0, except for the later lines of an event written as several lines (a truncate in Debezium
    /// format, one line per table): 1 for the second table, 2 for the third, …
    public var part: Int
    /// For a line that completes a transaction or stands alone (a commit line, a non-transactional
    /// message, the snapshot's end): where streaming resumes once it and every line before it is
    /// stored. `nil` for a line inside a transaction.
    public var position: LSN?
    /// For a backfilled row: `{backfill id}:{primary key}`, which names the row's read the same way
    /// in every run (a restart reads a chunk again under a new watermark; a sink that drops repeats
    /// by id drops the second read). `nil` for every other line.
    public var backfillRow: String?

    /// A descriptor of a line ending at `end` (for a sink's tests, or a driver of its own).
    public init(end: Int, kind: Kind, target: Target = .none, commitLSN: LSN, seq: Int = 0, part: Int = 0, position: LSN? = nil) {
        self.end = end
        self.kind = kind
        self.target = target
        self.commitLSN = commitLSN
        self.seq = seq
        self.part = part
        self.position = position
    }
}
