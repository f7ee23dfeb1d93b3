import PGOutput
import PostgresCDCBase

/// The one place where pgoutput messages are decoded, live or replayed: the assembler knows
/// whether a streamed block is open (its messages carry an xid) and whether Stream Abort carries a
/// position, so the session hands it the XLogData payload as received.
extension ChangeAssembler {
    /// Decodes the pgoutput message of an XLogData payload that started at `lsn`, and processes it.
    ///
    /// `loadTypes` and `describeRelation` are the only I/O this may lead to, and they are the
    /// caller's: `loadTypes` is called with the catalog before a Relation naming custom types the
    /// catalog does not know (created after the session started) is processed; `describeRelation`
    /// sees every Relation as it arrives (once per table and schema change, never per row) and
    /// returns the table's primary key when the description does not tell it, or `nil`.
    ///
    /// ``process(_:bytes:lsn:)`` is inlined here: one frame per message, and the event is built
    /// straight into the caller's result (measured with Benchmarks/micro.sh: 250 instructions per
    /// event fewer than two calls).
    package mutating func decode(
        _ payload: ArraySlice<UInt8>, at lsn: LSN,
        loadTypes: (inout TypeCatalog) throws(ReplicationError) -> Void,
        describeRelation: (RelationMessage) throws(ReplicationError) -> [String]? = { _ in nil }
    ) throws(ReplicationError) -> Output {
        let streamed = streamXid != nil
        let message = try Self.decodeMessage(
            payload, streamedTransaction: streamed, abortHasPosition: abortHasPosition, lsn: lsn, recycling: &recycler)
        if payload.first == UInt8(ascii: "R"), case let .relation(relation) = message {
            if relation.columns.contains(where: { $0.typeOID >= 16384 && !catalog.knows($0.typeOID) }) {
                try loadTypes(&catalog)
            }
            primaryKeys[relation.oid] = try describeRelation(relation)
        }
        return try process(message, bytes: payload, lsn: lsn)
    }

    /// Decodes and processes an XLogData payload, with the type catalog as it is.
    package mutating func decode(_ payload: ArraySlice<UInt8>, at lsn: LSN) throws(ReplicationError) -> Output {
        try decode(payload, at: lsn) { (_: inout TypeCatalog) throws(ReplicationError) in }
    }

    /// The pgoutput message in `bytes`, which arrived at `lsn`.
    @inline(__always)
    static func decodeMessage(
        _ bytes: ArraySlice<UInt8>, streamedTransaction: Bool, abortHasPosition: Bool = false, lsn: LSN,
        recycling recycler: inout TupleRecycler
    ) throws(ReplicationError) -> LogicalMessage {
        do {
            return try LogicalMessage.decode(
                bytes, streamedTransaction: streamedTransaction, abortHasPosition: abortHasPosition, recycling: &recycler)
        } catch {
            throw .decoding(error, lsn: lsn)
        }
    }
}
