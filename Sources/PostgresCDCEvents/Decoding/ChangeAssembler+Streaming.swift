import PGOutput
import PostgresCDCBase

/// Streamed transactions (pgoutput `streaming`, protocol 2+): the server sends the changes of a
/// large transaction in blocks while it is still running (Stream Start … Stream Stop, each change
/// carrying its (sub)transaction's xid), then Stream Commit or Stream Abort. The assembler keeps
/// the blocks' messages in ``InProgressTransactions`` and hands the changes out only at Stream
/// Commit, in commit order, as one ordinary transaction — the same events as without streaming.
extension ChangeAssembler {
    /// A committed streamed transaction being handed out.
    struct Replay {
        var reader: TransactionSpool.Reader?
        let spool: TransactionSpool?
        let endLSN: LSN
        /// Streamed messages carry their (sub)transaction's xid; prepared ones do not.
        var messagesCarryXid = true
    }

    /// Keeps a message of the open streamed block; `false` for messages that are not part of it.
    mutating func spool(_ message: LogicalMessage, bytes: ArraySlice<UInt8>, xid: UInt32, lsn: LSN) throws(ReplicationError) -> Bool {
        let subtransaction: UInt32?
        switch message {
        case let .insert(insert): subtransaction = insert.xid
        case let .update(update): subtransaction = update.xid
        case let .delete(delete): subtransaction = delete.xid
        case let .truncate(truncate): subtransaction = truncate.xid
        case let .relation(relation): subtransaction = relation.xid
        case let .type(type): subtransaction = type.xid
        case let .message(message) where message.isTransactional: subtransaction = message.xid
        default: return false
        }
        guard let inProgress, !bytes.isEmpty else {
            throw .protocolViolation(reason: "\(message.name) of a streamed transaction, but streaming is off", lsn: lsn)
        }
        try inProgress.append(bytes, xid: xid, subtransaction: subtransaction ?? xid, lsn: lsn)
        if case let .relation(relation) = message, prepared != nil { streamedRelations[xid, default: []].append(relation) }
        return true
    }

    /// Stream Start, Stream Stop, Stream Commit and Stream Abort.
    mutating func processStreamControl(_ message: LogicalMessage, lsn: LSN) throws(ReplicationError) -> Output {
        guard let inProgress else {
            throw .protocolViolation(reason: "\(message.name) was not asked for (streaming is off)", lsn: lsn)
        }
        switch message {
        case let .streamStart(start):
            guard streamXid == nil, transaction == nil, replay == nil else {
                let open = streamXid ?? transaction?.xid ?? 0
                throw .protocolViolation(reason: "Stream Start of xid \(start.xid) while xid \(open) is open", lsn: lsn)
            }
            streamXid = start.xid
            return .none

        case .streamStop:
            guard streamXid != nil else {
                throw .protocolViolation(reason: "Stream Stop without a Stream Start", lsn: lsn)
            }
            streamXid = nil
            return .none

        case let .streamAbort(abort):
            if abort.subtransactionXid == abort.xid { streamedRelations[abort.xid] = nil }
            try inProgress.abort(abort.xid, subtransaction: abort.subtransactionXid)
            return .none

        case let .streamCommit(commit):
            latestCommitTime = commit.commitTime.unixMicroseconds
            guard streamXid == nil, transaction == nil, replay == nil else {
                let open = streamXid ?? transaction?.xid ?? 0
                throw .protocolViolation(reason: "Stream Commit of xid \(commit.xid) inside the block of xid \(open)", lsn: lsn)
            }
            streamedRelations[commit.xid] = nil
            let spool = inProgress.commit(commit.xid)
            if let endLSN, commit.commitLSN > endLSN {
                spool?.close()
                return .endReached
            }
            if let resumeLSN, commit.commitLSN < resumeLSN {
                spool?.close()
                skippedTransactions += 1
                finishCommit(endLSN: commit.endLSN)
                return .none
            }
            let info = TransactionInfo(xid: commit.xid, commitLSN: commit.commitLSN, commitTime: commit.commitTime, origin: nil)
            transaction = info
            seq = 0
            replay = Replay(reader: spool.map { TransactionSpool.Reader($0) }, spool: spool, endLSN: commit.endLSN)
            return includeBeginEvents ? .event(.begin(info)) : .none

        default:
            return .none
        }
    }

    /// The next output of the committed streamed transaction being handed out; after its last
    /// change, its commit (``isReplaying`` is then false).
    package mutating func nextReplayed() throws(ReplicationError) -> Output {
        guard let current = replay else { return .none }
        while let entry = try replay?.reader?.next() {
            let message = try Self.decodeMessage(
                entry.message, streamedTransaction: current.messagesCarryXid, lsn: entry.lsn, recycling: &recycler)
            switch message {
            case .insert, .update, .delete, .truncate, .message, .relation, .type: break
            default: throw .protocolViolation(reason: "\(message.name) among a streamed transaction's changes", lsn: entry.lsn)
            }
            let output = try process(message, lsn: entry.lsn)
            if case .none = output { continue }
            return output
        }
        replay = nil
        current.spool?.close()
        guard let info = transaction else { return .none }
        let count = seq
        finishCommit(endLSN: current.endLSN)
        return includeCommitEvents ? .event(.commit(CommitEvent(transaction: info, endLSN: current.endLSN, eventCount: count))) : .none
    }

    private mutating func finishCommit(endLSN: LSN) {
        transaction = nil
        lastCommitEnd = endLSN
        if endLSN > position { position = endLSN }
    }
}
