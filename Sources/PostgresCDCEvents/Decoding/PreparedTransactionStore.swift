import PGOutput
import PostgresCDCBase

/// Prepared transactions (two-phase decoding) that wait for COMMIT PREPARED or ROLLBACK PREPARED,
/// kept in a ``PreparedTransactionStorage`` (one file each in a directory beside the checkpoint).
/// Once pgcdc has confirmed a PREPARE, the server never sends its changes again — only the COMMIT
/// PREPARED — so they must survive a restart.
///
/// A transaction is saved (durably) before the PREPARE's position can be confirmed; it is deleted
/// only once the position after its COMMIT or ROLLBACK PREPARED is confirmed, so a crash in
/// between finds it again when the server repeats the decision. This type holds those rules; the
/// storage does the I/O.
package final class PreparedTransactionStore {
    /// One prepared transaction kept.
    package struct Entry: Sendable, Hashable {
        package let xid: UInt32
        package let gid: String
        let prepareLSN: LSN
        package let endLSN: LSN
        /// The changes came streamed (Stream Prepare): each message carries its xid.
        let messagesCarryXid: Bool

        package init(xid: UInt32, gid: String, prepareLSN: LSN, endLSN: LSN, messagesCarryXid: Bool) {
            self.xid = xid
            self.gid = gid
            self.prepareLSN = prepareLSN
            self.endLSN = endLSN
            self.messagesCarryXid = messagesCarryXid
        }
    }

    /// Where the transactions are kept.
    package let storage: any PreparedTransactionStorage
    /// Prepared transactions kept, by gid.
    package private(set) var entries: [String: Entry] = [:]
    private var removals: [(lsn: LSN, entry: Entry)] = []

    /// Reads what `storage` keeps (left by an earlier run).
    package init(storage: any PreparedTransactionStorage) throws(ReplicationError) {
        self.storage = storage
        for entry in try storage.list() { entries[entry.gid] = entry }
    }

    /// Opens (creating it when missing) the directory of files and reads the header of every file in it.
    package convenience init(directory: String) throws(ReplicationError) {
        try self.init(storage: try FilePreparedTransactionStorage(directory: directory))
    }

    /// Where the transactions are kept (the directory), for error messages.
    var location: String { storage.location }

    /// Keeps a prepared transaction's changes durably.
    package func save(_ spool: TransactionSpool, _ info: PrepareInfo, messagesCarryXid: Bool) throws(ReplicationError) {
        try storage.save(info, messagesCarryXid: messagesCarryXid, entries: spool)
        entries[info.gid] = Entry(
            xid: info.xid, gid: info.gid, prepareLSN: info.prepareLSN, endLSN: info.endLSN, messagesCarryXid: messagesCarryXid
        )
    }

    /// The changes of the prepared transaction `gid`, to replay; `nil` when none is kept for it.
    package func open(gid: String) throws(ReplicationError) -> (spool: TransactionSpool, messagesCarryXid: Bool)? {
        guard let entry = entries[gid] else { return nil }
        let (file, offset, length) = try storage.open(entry)
        let spool = TransactionSpool(xid: entry.xid, adopting: file, entriesAt: offset, length: length, storage: storage)
        return (spool, entry.messagesCarryXid)
    }

    /// Deletes the transaction `gid` once the position `lsn` (after its COMMIT or ROLLBACK PREPARED) is confirmed.
    package func remove(gid: String, once lsn: LSN) {
        guard let entry = entries[gid] else { return }
        removals.append((lsn, entry))
    }

    /// Everything up to `lsn` is stored: deletes the transactions decided by then.
    package func confirmed(through lsn: LSN) {
        guard removals.contains(where: { $0.lsn <= lsn }) else { return }
        for removal in removals where removal.lsn <= lsn {
            storage.delete(removal.entry)
            entries[removal.entry.gid] = nil
        }
        removals.removeAll { $0.lsn <= lsn }
    }
}
