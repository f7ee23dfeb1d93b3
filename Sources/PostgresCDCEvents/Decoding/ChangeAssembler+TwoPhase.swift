import PGOutput
import PostgresCDCBase

/// Two-phase decoding (pgoutput `two_phase`, protocol 3+): the server sends a prepared
/// transaction's changes at PREPARE TRANSACTION (Begin Prepare … Prepare, or Stream Prepare for a
/// streamed one) and later only COMMIT PREPARED or ROLLBACK PREPARED. pgcdc keeps the changes in
/// the ``PreparedTransactionStore`` and hands them out at COMMIT PREPARED — with the gid, at the
/// commit's position in commit order — or drops them at ROLLBACK PREPARED.
extension ChangeAssembler {
    /// A prepared transaction whose changes are arriving (between Begin Prepare and Prepare).
    struct Preparing {
        let xid: UInt32
        let spool: TransactionSpool
    }

    /// Keeps a change of the transaction being prepared; `false` for messages that are not one.
    mutating func spoolPrepared(
        _ message: LogicalMessage, bytes: ArraySlice<UInt8>, into preparing: Preparing, lsn: LSN
    ) throws(ReplicationError) -> Bool {
        switch message {
        case .insert, .update, .delete, .truncate, .relation, .type: break
        case let .message(message) where message.isTransactional: break
        default: return false
        }
        guard !bytes.isEmpty else {
            throw .protocolViolation(reason: "\(message.name) of a prepared transaction without its bytes", lsn: lsn)
        }
        // pgoutput counts a Relation sent inside a prepared transaction as sent for everything
        // after it (unlike one inside a streamed block), so it applies now; the schema event, if
        // any, still comes with the transaction's changes at COMMIT PREPARED.
        if case let .relation(relation) = message { try applyPrepared(relation, lsn: lsn) }
        preparing.spool.append(bytes, subtransaction: preparing.xid, lsn: lsn)
        if preparing.spool.memoryCost > spoolMemoryLimit { try preparing.spool.spill() }
        return true
    }

    /// A Relation message of a prepared transaction, applied at once (pgoutput counts it as sent
    /// for everything after the PREPARE); the relation it replaced is kept for the schema event
    /// handed out with the transaction at COMMIT PREPARED.
    private mutating func applyPrepared(_ relation: RelationMessage, lsn: LSN) throws(ReplicationError) {
        let new = makeRelation(relation)
        if binaryValues { try checkBinaryFormats(new, lsn: lsn) }
        if let old = relations[relation.oid], schemaBeforePrepare[relation.oid] == nil, old.differs(from: new) {
            schemaBeforePrepare[relation.oid] = old
        }
        relations[relation.oid] = new
    }

    /// Begin Prepare, Prepare, Stream Prepare, Commit Prepared and Rollback Prepared.
    mutating func processTwoPhase(_ message: LogicalMessage, lsn: LSN) throws(ReplicationError) -> Output {
        guard let prepared else {
            throw .protocolViolation(reason: "\(message.name) was not asked for (two-phase decoding is off)", lsn: lsn)
        }
        switch message {
        case let .beginPrepare(info):
            guard transaction == nil, streamXid == nil, replay == nil, preparing == nil else {
                throw .protocolViolation(reason: "Begin Prepare of xid \(info.xid) while another transaction is open", lsn: lsn)
            }
            if let endLSN, info.prepareLSN > endLSN { return .endReached }
            preparing = Preparing(xid: info.xid, spool: TransactionSpool(xid: info.xid, storage: prepared.storage))
            return .none

        case let .prepare(_, info):
            guard let current = preparing, current.xid == info.xid else {
                throw .protocolViolation(reason: "Prepare of xid \(info.xid) (gid \"\(info.gid)\") without its Begin Prepare", lsn: lsn)
            }
            preparing = nil
            try prepared.save(current.spool, info, messagesCarryXid: false)
            current.spool.close()
            advance(to: info.endLSN)
            return .none

        case let .streamPrepare(_, info):
            guard let inProgress, streamXid == nil, transaction == nil else {
                throw .protocolViolation(reason: "Stream Prepare of xid \(info.xid) outside a streamed transaction", lsn: lsn)
            }
            // PostgreSQL 15.19+ (and 16.10+, 17.6+) counts the Relations of a streamed transaction as
            // sent once it is prepared, as for a prepared one, and does not send them again.
            for relation in streamedRelations.removeValue(forKey: info.xid) ?? [] { try applyPrepared(relation, lsn: lsn) }
            let spool = inProgress.commit(info.xid) ?? TransactionSpool(xid: info.xid, storage: prepared.storage)
            try prepared.save(spool, info, messagesCarryXid: true)
            spool.close()
            advance(to: info.endLSN)
            return .none

        case let .commitPrepared(commit):
            guard transaction == nil, streamXid == nil, replay == nil, preparing == nil else {
                throw .protocolViolation(reason: "Commit Prepared of gid \"\(commit.gid)\" while another transaction is open", lsn: lsn)
            }
            if let endLSN, commit.commitLSN > endLSN { return .endReached }
            prepared.remove(gid: commit.gid, once: commit.endLSN)
            if let resumeLSN, commit.commitLSN < resumeLSN {
                skippedTransactions += 1
                advance(to: commit.endLSN)
                lastCommitEnd = commit.endLSN
                return .none
            }
            guard let (spool, messagesCarryXid) = try prepared.open(gid: commit.gid) else {
                throw .protocolViolation(
                    reason: "Commit Prepared of gid \"\(commit.gid)\" (xid \(commit.xid)), but its prepared changes are not in "
                        + "\(prepared.location): the PREPARE was confirmed without them",
                    lsn: lsn
                )
            }
            let info = TransactionInfo(
                xid: commit.xid, commitLSN: commit.commitLSN, commitTime: commit.commitTime, origin: nil, gid: commit.gid
            )
            transaction = info
            seq = 0
            replay = Replay(reader: TransactionSpool.Reader(spool), spool: spool, endLSN: commit.endLSN, messagesCarryXid: messagesCarryXid)
            return includeBeginEvents ? .event(.begin(info)) : .none

        case let .rollbackPrepared(rollback):
            guard transaction == nil, streamXid == nil, replay == nil, preparing == nil else {
                throw .protocolViolation(reason: "Rollback Prepared of gid \"\(rollback.gid)\" while another transaction is open", lsn: lsn)
            }
            prepared.remove(gid: rollback.gid, once: rollback.rollbackEndLSN)
            advance(to: rollback.rollbackEndLSN)
            return .none

        default:
            return .none
        }
    }

    /// A prepare or rollback ended a transaction without handing anything out: later commits come after it.
    private mutating func advance(to lsn: LSN) {
        if lsn > position { position = lsn }
        if lsn > lastCommitEnd { lastCommitEnd = lsn }
    }
}
