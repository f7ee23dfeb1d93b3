import PGOutput
import PostgresCDCBase

/// Decodes pgoutput messages and turns them into change events: tracks the open transaction and
/// the open streamed block, numbers events, keeps the relation cache, and decides when an end LSN
/// has been reached. The session hands it each XLogData payload (``decode(_:at:loadTypes:)``).
///
/// No I/O of its own, so it is tested with byte fixtures: streamed transactions past the memory
/// bound spill through the ``SpillStorage`` of ``inProgress``, prepared transactions are kept by
/// the ``PreparedTransactionStorage`` of ``prepared`` (files in pgcdc, memory in tests), and
/// custom types are loaded by the caller's `loadTypes`.
package struct ChangeAssembler {
    /// What one message produced.
    package enum Output {
        /// Nothing for the caller (a relation description, a begin without transaction events, ...).
        case none
        /// One event.
        case event(ChangeEvent)
        /// Everything committed at or before the end LSN has been handed out; stop.
        case endReached
    }

    /// Relations described by the stream so far, by OID.
    package internal(set) var relations: [UInt32: Relation] = [:] {
        didSet { lastRelation = nil }
    }
    /// The relation the last change named: consecutive changes of one table skip the dictionary's hashing.
    private var lastRelation: Relation?
    /// The column arrays of the last row messages' tuples, reused once their events are gone.
    var recycler = TupleRecycler()
    /// The type catalog used to map column types to value conversions.
    package var catalog: TypeCatalog
    /// Primary keys the caller looked up (by relation OID) for tables whose replica identity does
    /// not tell it (see ``Relation/needsPrimaryKeyLookup(_:)``); refreshed with each description.
    var primaryKeys: [UInt32: [String]] = [:]
    /// Stop once every transaction that committed at or before this LSN was handed out.
    package var endLSN: LSN? {
        didSet { updateHasReachedEnd() }
    }
    /// Whether begin events are produced.
    var includeBeginEvents: Bool
    /// Whether commit events are produced.
    package var includeCommitEvents: Bool
    /// Transactions that committed before this LSN (and non-transactional messages at or before
    /// it) were already stored by the consumer: they are skipped, whatever the server sends.
    package var resumeLSN: LSN?
    /// The end LSN of the last commit whose events have all been handed out.
    package internal(set) var lastCommitEnd: LSN = .zero {
        didSet { updateHasReachedEnd() }
    }
    /// Where streaming could resume once everything handed out is stored: the last commit end
    /// or non-transactional message LSN.
    package internal(set) var position: LSN = .zero
    /// Tables, columns and operations to leave out.
    package var filter = EventFilter() {
        didSet { filterIsEmpty = filter.isEmpty }
    }
    private var filterIsEmpty = true
    /// Transactions skipped because they were before ``resumeLSN``.
    package internal(set) var skippedTransactions = 0

    var transaction: TransactionInfo? {
        didSet {
            isInTransaction = transaction != nil
            updateHasReachedEnd()
        }
    }
    private var skipping = false
    package var seq = 0
    /// Streamed transactions not yet committed; `nil` when streaming was not asked for.
    package var inProgress: InProgressTransactions?
    /// The transaction whose streamed block (Stream Start … Stream Stop) is open.
    var streamXid: UInt32?
    /// A committed streamed or prepared transaction whose changes are being handed out.
    var replay: Replay? {
        didSet { isReplaying = replay != nil }
    }
    /// Prepared transactions kept until their decision; `nil` when two-phase decoding was not asked for.
    package var prepared: PreparedTransactionStore?
    /// The prepared transaction whose changes are arriving.
    var preparing: Preparing?
    /// Relations as they were before a prepared transaction's Relation message replaced them: the
    /// old side of the schema event handed out with that transaction.
    var schemaBeforePrepare: [UInt32: Relation] = [:]
    /// Relation messages met in the blocks of a streamed transaction, by top-level xid, until it is
    /// prepared (they then apply, as a prepared transaction's do), committed or aborted.
    var streamedRelations: [UInt32: [RelationMessage]] = [:]
    /// Whether values arrive in binary: every relation must have columns pgcdc can convert.
    package var binaryValues = false
    /// Stream Abort carries its LSN and time (protocol 4 with `streaming = parallel`).
    package var abortHasPosition = false
    /// When the latest transaction whose Begin or Stream Commit arrived committed (Unix microseconds).
    package internal(set) var latestCommitTime: Int64 = 0
    /// Memory a transaction being prepared may hold before it moves to a file.
    package var spoolMemoryLimit = 64 << 20

    package init(catalog: TypeCatalog, endLSN: LSN? = nil, includeTransactionEvents: Bool = false) {
        self.catalog = catalog
        self.endLSN = endLSN
        self.includeBeginEvents = includeTransactionEvents
        self.includeCommitEvents = includeTransactionEvents
        updateHasReachedEnd()
    }

    /// The relation `message` describes, with the primary key the caller looked up.
    func makeRelation(_ message: RelationMessage) -> Relation {
        Relation(message: message, catalog: catalog, filter: filter, primaryKey: primaryKeys[message.oid])
    }

    // What the session asks after every message. Stored, not computed: from the module above, a
    // computed property copies the whole assembler (its dictionaries and storage retained and
    // released), which cost about 3,500 instructions per event in `pgcdc stream` (callgrind).

    /// Whether a transaction is open (begun, not yet committed).
    package private(set) var isInTransaction = false

    /// Whether a committed streamed or prepared transaction is being handed out: call
    /// ``nextReplayed()`` until this is false before processing the next message.
    package private(set) var isReplaying = false

    /// Whether every transaction committed at or before the end LSN has been handed out: the last
    /// commit ended at or after it, so any later transaction commits after it.
    package private(set) var hasReachedEnd = false

    private mutating func updateHasReachedEnd() {
        let reached: Bool
        if let endLSN, transaction == nil { reached = lastCommitEnd >= endLSN } else { reached = false }
        if reached != hasReachedEnd { hasReachedEnd = reached }
    }

    /// Processes one message that arrived in an XLogData starting at `lsn`; `bytes` is the message
    /// as received (kept, inside a streamed block, until the transaction commits). Inlined into
    /// ``decode(_:at:loadTypes:)``, the hot path.
    @inline(__always)
    mutating func process(_ message: LogicalMessage, bytes: ArraySlice<UInt8> = [], lsn: LSN) throws(ReplicationError) -> Output {
        if let xid = streamXid, try spool(message, bytes: bytes, xid: xid, lsn: lsn) { return .none }
        if let preparing, try spoolPrepared(message, bytes: bytes, into: preparing, lsn: lsn) { return .none }
        if skipping {
            switch message {
            case .insert, .update, .delete, .truncate, .message: return .none
            default: break
            }
        }
        switch message {
        case let .begin(begin):
            latestCommitTime = begin.commitTime.unixMicroseconds
            guard streamXid == nil, replay == nil, preparing == nil else {
                let open = streamXid ?? preparing?.xid ?? 0
                throw .protocolViolation(reason: "Begin of xid \(begin.xid) inside the streamed or prepared transaction \(open)", lsn: lsn)
            }
            guard transaction == nil else {
                throw .protocolViolation(reason: "Begin of xid \(begin.xid) inside the open transaction \(transaction?.xid ?? 0)", lsn: lsn)
            }
            if let endLSN, begin.finalLSN > endLSN { return .endReached }
            let info = TransactionInfo(xid: begin.xid, commitLSN: begin.finalLSN, commitTime: begin.commitTime, origin: nil)
            transaction = info
            seq = 0
            skipping = resumeLSN.map { begin.finalLSN < $0 } ?? false
            if skipping {
                skippedTransactions += 1
                return .none
            }
            return includeBeginEvents ? .event(.begin(info)) : .none

        case let .commit(commit):
            guard let info = transaction else {
                throw .protocolViolation(reason: "Commit at \(commit.commitLSN) without a Begin", lsn: lsn)
            }
            guard commit.commitLSN == info.commitLSN else {
                throw .protocolViolation(
                    reason: "Commit LSN \(commit.commitLSN) differs from the Begin's \(info.commitLSN) (xid \(info.xid))", lsn: lsn
                )
            }
            transaction = nil
            lastCommitEnd = commit.endLSN
            if commit.endLSN > position { position = commit.endLSN }
            if skipping {
                skipping = false
                return .none
            }
            return includeCommitEvents ? .event(.commit(CommitEvent(transaction: info, endLSN: commit.endLSN, eventCount: seq))) : .none

        case let .origin(origin):
            transaction?.origin = origin.name
            return .none

        case let .relation(message):
            let new = makeRelation(message)
            if binaryValues { try checkBinaryFormats(new, lsn: lsn) }
            let old = schemaBeforePrepare.removeValue(forKey: message.oid) ?? relations[message.oid]
            relations[message.oid] = new
            // The first description is not a change; a later one that differs is, inside the
            // transaction whose changes use it (pgoutput sends it right before them).
            guard let old, old.differs(from: new), let info = transaction else { return .none }
            if !filterIsEmpty, !filter.includes(schema: new.schema, table: new.table) { return .none }
            return .event(.schema(SchemaChange(transaction: info, seq: nextSeq(), lsn: lsn, old: old, new: new)))

        case .type:
            // The catalog is loaded from pg_type; the Type message only repeats the name.
            return .none

        case .streamStart, .streamStop, .streamCommit, .streamAbort:
            return try processStreamControl(message, lsn: lsn)

        case .beginPrepare, .prepare, .commitPrepared, .rollbackPrepared, .streamPrepare:
            return try processTwoPhase(message, lsn: lsn)

        case let .insert(insert):
            let relation = try relation(insert.relationOID, lsn: lsn)
            if !filterIsEmpty, !passes(relation, .insert) { return .none }
            try checkWidth(insert.newTuple, of: relation, lsn: lsn)
            let new = Row(relation: relation, tuple: insert.newTuple, isKeyOnly: false)
            return .event(.row(try rowChange(.insert, relation: relation, old: nil, new: new, lsn: lsn)))

        case let .update(update):
            let relation = try relation(update.relationOID, lsn: lsn)
            if !filterIsEmpty, !passes(relation, .update) { return .none }
            try checkWidth(update.newTuple, of: relation, lsn: lsn)
            var old: Row?
            if let oldTuple = update.oldTuple {
                try checkWidth(oldTuple.tuple, of: relation, lsn: lsn)
                old = Row(relation: relation, tuple: oldTuple.tuple, isKeyOnly: Self.isKey(oldTuple))
            }
            let new = Row(relation: relation, tuple: update.newTuple, isKeyOnly: false)
            return .event(.row(try rowChange(.update, relation: relation, old: old, new: new, lsn: lsn)))

        case let .delete(delete):
            let relation = try relation(delete.relationOID, lsn: lsn)
            if !filterIsEmpty, !passes(relation, .delete) { return .none }
            try checkWidth(delete.oldTuple.tuple, of: relation, lsn: lsn)
            let old = Row(relation: relation, tuple: delete.oldTuple.tuple, isKeyOnly: Self.isKey(delete.oldTuple))
            return .event(.row(try rowChange(.delete, relation: relation, old: old, new: nil, lsn: lsn)))

        case let .truncate(truncate):
            var truncated: [Relation] = []
            for oid in truncate.relationOIDs {
                let relation = try relation(oid, lsn: lsn)
                if filterIsEmpty || passes(relation, .truncate) { truncated.append(relation) }
            }
            if truncated.isEmpty { return .none }
            let info = try openTransaction(for: "Truncate", lsn: lsn)
            let change = TruncateChange(
                transaction: info, seq: nextSeq(), lsn: lsn, relations: truncated,
                cascade: truncate.options.contains(.cascade), restartIdentity: truncate.options.contains(.restartIdentity)
            )
            return .event(.truncate(change))

        case let .message(message):
            let ddl = message.isTransactional && message.prefix == DDLMessage.prefix ? DDLMessage(content: Array(message.content)) : nil
            let operation: EventFilter.Operation = ddl == nil ? .message : .ddl
            if !filterIsEmpty && !filter.operations.contains(operation) && !BackfillMessage.isControl(prefix: message.prefix) {
                if !message.isTransactional, message.lsn > position { position = message.lsn }
                return .none
            }
            if let ddl {
                let info = try openTransaction(for: "Message", lsn: lsn)
                return .event(
                    .ddl(
                        DDLEvent(
                            transaction: info, seq: nextSeq(), lsn: message.lsn, commandTag: ddl.tag, objectType: ddl.objectType,
                            schema: ddl.schema, objectIdentity: ddl.identity, statement: ddl.statement)))
            }
            if message.isTransactional {
                let info = try openTransaction(for: "Message", lsn: lsn)
                return .event(
                    .message(
                        LogicalDecodingMessageEvent(
                            transaction: info, seq: nextSeq(), lsn: message.lsn, prefix: message.prefix, content: Array(message.content)
                        )))
            }
            if let endLSN, message.lsn > endLSN, transaction == nil { return .endReached }
            if let resumeLSN, message.lsn <= resumeLSN { return .none }
            if message.lsn > position { position = message.lsn }
            return .event(
                .message(
                    LogicalDecodingMessageEvent(
                        transaction: nil, seq: 0, lsn: message.lsn, prefix: message.prefix, content: Array(message.content)
                    )))
        }
    }

    /// Whether a primary keepalive reporting `walEnd` means the end LSN was reached.
    package func keepaliveReachesEnd(_ walEnd: LSN) -> Bool {
        guard let endLSN, transaction == nil else { return false }
        return walEnd >= endLSN
    }

    // MARK: - Helpers

    private mutating func nextSeq() -> Int {
        defer { seq += 1 }
        return seq
    }

    private func openTransaction(for message: String, lsn: LSN) throws(ReplicationError) -> TransactionInfo {
        guard let transaction else {
            throw .protocolViolation(reason: "\(message) outside a transaction", lsn: lsn)
        }
        return transaction
    }

    private mutating func relation(_ oid: UInt32, lsn: LSN) throws(ReplicationError) -> Relation {
        if let lastRelation, lastRelation.oid == oid { return lastRelation }
        guard let relation = relations[oid] else {
            throw .protocolViolation(reason: "change for relation OID \(oid), which the stream has not described", lsn: lsn)
        }
        lastRelation = relation
        return relation
    }

    private func passes(_ relation: Relation, _ operation: EventFilter.Operation) -> Bool {
        filter.operations.contains(operation) && filter.includes(schema: relation.schema, table: relation.table)
    }

    private static func isKey(_ old: OldTuple) -> Bool {
        if case .key = old { return true }
        return false
    }

    /// Refuses a relation with a column whose binary values cannot be turned into text.
    func checkBinaryFormats(_ relation: Relation, lsn: LSN) throws(ReplicationError) {
        for (index, column) in relation.columns.enumerated() where column.binary == .unsupported && !relation.isOmitted(index) {
            throw .binaryColumnUnsupported(
                table: relation.description, column: column.name, typeOID: column.typeOID, lsn: lsn
            )
        }
    }

    private func checkWidth(_ tuple: TupleData, of relation: Relation, lsn: LSN) throws(ReplicationError) {
        guard tuple.columns.count == relation.columns.count else {
            throw .protocolViolation(
                reason: "tuple of \(relation.schema).\(relation.table) has \(tuple.columns.count) columns, "
                    + "its Relation message described \(relation.columns.count)",
                lsn: lsn
            )
        }
    }

    private mutating func rowChange(
        _ operation: RowChange.Operation, relation: Relation, old: Row?, new: Row?, lsn: LSN
    ) throws(ReplicationError) -> RowChange {
        let info = try openTransaction(for: operation.messageName, lsn: lsn)
        return RowChange(operation: operation, transaction: info, seq: nextSeq(), lsn: lsn, relation: relation, old: old, new: new)
    }
}

extension RowChange.Operation {
    /// The pgoutput message that carries this operation.
    var messageName: String {
        switch self {
        case .insert: return "Insert"
        case .update: return "Update"
        case .delete: return "Delete"
        case .read: return "COPY"
        }
    }
}
