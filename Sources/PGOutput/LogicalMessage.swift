/// A pgoutput message (the payload of an XLogData). The one place that dispatches on the tag byte.
///
/// See PostgreSQL's "Logical Replication Message Formats": the messages of protocol versions 1 to 4.
/// The same letters mean other things in other layers (`K` and `O` inside Update/Delete, `k` and `r`
/// in the CopyBoth layer); each layer has its own types, so they cannot be confused.
public enum LogicalMessage: Sendable {
    /// `'B'`: a transaction starts.
    case begin(BeginMessage)
    /// `'C'`: the transaction's changes are complete.
    case commit(CommitMessage)
    /// `'O'`: the transaction came from a replication origin.
    case origin(OriginMessage)
    /// `'R'`: describes a table before changes of it.
    case relation(RelationMessage)
    /// `'Y'`: names a non-built-in type.
    case type(TypeMessage)
    /// `'I'`: a new row.
    case insert(InsertMessage)
    /// `'U'`: a changed row.
    case update(UpdateMessage)
    /// `'D'`: a removed row.
    case delete(DeleteMessage)
    /// `'T'`: tables were truncated.
    case truncate(TruncateMessage)
    /// `'M'`: a logical decoding message.
    case message(LogicalDecodingMessage)
    /// `'S'` (v2+): the changes up to Stream Stop belong to an in-progress transaction.
    case streamStart(StreamStartMessage)
    /// `'E'` (v2+): the end of a streamed segment.
    case streamStop
    /// `'c'` (v2+): a streamed transaction committed.
    case streamCommit(StreamCommitMessage)
    /// `'A'` (v2+): a streamed (sub)transaction aborted.
    case streamAbort(StreamAbortMessage)
    /// `'b'` (v3+): a prepared transaction's changes follow.
    case beginPrepare(PrepareInfo)
    /// `'P'` (v3+): the transaction was prepared (PREPARE TRANSACTION).
    case prepare(flags: UInt8, PrepareInfo)
    /// `'K'` (v3+): a prepared transaction committed.
    case commitPrepared(CommitPreparedMessage)
    /// `'r'` (v3+): a prepared transaction was rolled back.
    case rollbackPrepared(RollbackPreparedMessage)
    /// `'p'` (v3+): a streamed transaction was prepared.
    case streamPrepare(flags: UInt8, PrepareInfo)

    /// Decodes one message. `streamedTransaction`: inside a Stream Start/Stop block (protocol v2+),
    /// where Relation, Type, Insert, Update, Delete, Truncate and Message carry a leading xid.
    /// `abortHasPosition`: protocol v4 with `streaming = parallel`, where Stream Abort carries its LSN and time.
    public static func decode(_ data: ArraySlice<UInt8>, streamedTransaction: Bool = false, abortHasPosition: Bool = false)
        throws(PGOutputError) -> LogicalMessage
    {
        var recycler = TupleRecycler()
        return try decode(data, streamedTransaction: streamedTransaction, abortHasPosition: abortHasPosition, recycling: &recycler)
    }

    /// ``decode(_:streamedTransaction:abortHasPosition:)``, a row message's tuples decoded into
    /// `recycler`'s column arrays when nothing else holds them (one recycler per stream of messages).
    public static func decode(
        _ data: ArraySlice<UInt8>, streamedTransaction: Bool = false, abortHasPosition: Bool = false,
        recycling recycler: inout TupleRecycler
    ) throws(PGOutputError) -> LogicalMessage {
        var reader = ByteReader(data, context: "pgoutput")
        let tag = try reader.readUInt8()
        let message: LogicalMessage
        switch tag {
        case UInt8(ascii: "B"):
            reader.context = "Begin ('B')"
            message = .begin(try BeginMessage.decode(from: &reader))
        case UInt8(ascii: "C"):
            reader.context = "Commit ('C')"
            message = .commit(try CommitMessage.decode(from: &reader))
        case UInt8(ascii: "O"):
            reader.context = "Origin ('O')"
            message = .origin(try OriginMessage.decode(from: &reader))
        case UInt8(ascii: "R"):
            reader.context = "Relation ('R')"
            message = .relation(try RelationMessage.decode(from: &reader, streamedTransaction: streamedTransaction))
        case UInt8(ascii: "Y"):
            reader.context = "Type ('Y')"
            message = .type(try TypeMessage.decode(from: &reader, streamedTransaction: streamedTransaction))
        case UInt8(ascii: "I"):
            reader.context = "Insert ('I')"
            message = .insert(try InsertMessage.decode(from: &reader, streamedTransaction: streamedTransaction, recycling: &recycler))
        case UInt8(ascii: "U"):
            reader.context = "Update ('U')"
            message = .update(try UpdateMessage.decode(from: &reader, streamedTransaction: streamedTransaction, recycling: &recycler))
        case UInt8(ascii: "D"):
            reader.context = "Delete ('D')"
            message = .delete(try DeleteMessage.decode(from: &reader, streamedTransaction: streamedTransaction, recycling: &recycler))
        case UInt8(ascii: "T"):
            reader.context = "Truncate ('T')"
            message = .truncate(try TruncateMessage.decode(from: &reader, streamedTransaction: streamedTransaction))
        case UInt8(ascii: "M"):
            reader.context = "Message ('M')"
            message = .message(try LogicalDecodingMessage.decode(from: &reader, streamedTransaction: streamedTransaction))
        case UInt8(ascii: "S"):
            reader.context = "Stream Start ('S')"
            message = .streamStart(try StreamStartMessage.decode(from: &reader))
        case UInt8(ascii: "E"):
            reader.context = "Stream Stop ('E')"
            message = .streamStop
        case UInt8(ascii: "c"):
            reader.context = "Stream Commit ('c')"
            message = .streamCommit(try StreamCommitMessage.decode(from: &reader))
        case UInt8(ascii: "A"):
            reader.context = "Stream Abort ('A')"
            message = .streamAbort(try StreamAbortMessage.decode(from: &reader, withPosition: abortHasPosition))
        case UInt8(ascii: "b"):
            reader.context = "Begin Prepare ('b')"
            message = .beginPrepare(try PrepareInfo.decode(from: &reader))
        case UInt8(ascii: "P"):
            reader.context = "Prepare ('P')"
            let flags = try reader.readUInt8()
            message = .prepare(flags: flags, try PrepareInfo.decode(from: &reader))
        case UInt8(ascii: "K"):
            reader.context = "Commit Prepared ('K')"
            message = .commitPrepared(try CommitPreparedMessage.decode(from: &reader))
        case UInt8(ascii: "r"):
            reader.context = "Rollback Prepared ('r')"
            message = .rollbackPrepared(try RollbackPreparedMessage.decode(from: &reader))
        case UInt8(ascii: "p"):
            reader.context = "Stream Prepare ('p')"
            let flags = try reader.readUInt8()
            message = .streamPrepare(flags: flags, try PrepareInfo.decode(from: &reader))
        default:
            throw PGOutputError.unknownMessageType(layer: "pgoutput", tag: tag, offset: 0)
        }
        try reader.expectEnd()
        return message
    }
}

extension LogicalMessage {
    /// The message's name as the PostgreSQL documentation writes it, with its tag.
    public var name: String {
        switch self {
        case .begin: return "Begin ('B')"
        case .commit: return "Commit ('C')"
        case .origin: return "Origin ('O')"
        case .relation: return "Relation ('R')"
        case .type: return "Type ('Y')"
        case .insert: return "Insert ('I')"
        case .update: return "Update ('U')"
        case .delete: return "Delete ('D')"
        case .truncate: return "Truncate ('T')"
        case .message: return "Message ('M')"
        case .streamStart: return "Stream Start ('S')"
        case .streamStop: return "Stream Stop ('E')"
        case .streamCommit: return "Stream Commit ('c')"
        case .streamAbort: return "Stream Abort ('A')"
        case .beginPrepare: return "Begin Prepare ('b')"
        case .prepare: return "Prepare ('P')"
        case .commitPrepared: return "Commit Prepared ('K')"
        case .rollbackPrepared: return "Rollback Prepared ('r')"
        case .streamPrepare: return "Stream Prepare ('p')"
        }
    }
}
