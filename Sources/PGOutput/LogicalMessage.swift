/// A pgoutput message (the payload of an XLogData). The one place that dispatches on the tag byte.
///
/// See PostgreSQL's "Logical Replication Message Formats". Protocol version 1 messages.
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

    /// Decodes one message. `streamedTransaction`: inside a Stream Start/Stop block (protocol v2+),
    /// where Relation, Type, Insert, Update, Delete, Truncate and Message carry a leading xid.
    public static func decode(_ data: ArraySlice<UInt8>, streamedTransaction: Bool = false) throws(PGOutputError) -> LogicalMessage {
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
            message = .insert(try InsertMessage.decode(from: &reader, streamedTransaction: streamedTransaction))
        case UInt8(ascii: "U"):
            reader.context = "Update ('U')"
            message = .update(try UpdateMessage.decode(from: &reader, streamedTransaction: streamedTransaction))
        case UInt8(ascii: "D"):
            reader.context = "Delete ('D')"
            message = .delete(try DeleteMessage.decode(from: &reader, streamedTransaction: streamedTransaction))
        case UInt8(ascii: "T"):
            reader.context = "Truncate ('T')"
            message = .truncate(try TruncateMessage.decode(from: &reader, streamedTransaction: streamedTransaction))
        case UInt8(ascii: "M"):
            reader.context = "Message ('M')"
            message = .message(try LogicalDecodingMessage.decode(from: &reader, streamedTransaction: streamedTransaction))
        default:
            throw PGOutputError.unknownMessageType(layer: "pgoutput", tag: tag, offset: 0)
        }
        try reader.expectEnd()
        return message
    }
}
