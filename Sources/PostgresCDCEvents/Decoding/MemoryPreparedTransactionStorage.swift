import PGOutput
import PostgresCDCBase

/// Prepared transactions kept in memory: for tests (a "restart" hands the same object to a new
/// ``PreparedTransactionStore``) and the fuzzer. No I/O; it counts what it was asked to do.
package final class MemoryPreparedTransactionStorage: PreparedTransactionStorage {
    /// The transactions kept and their entries, in the spool's format.
    package private(set) var kept: [PreparedTransactionStore.Entry: [UInt8]] = [:]
    /// How many transactions were saved and deleted.
    private(set) var saves = 0
    package private(set) var deletes = 0
    /// Spill files of transactions being received.
    let spills = MemorySpillStorage()

    package init() {}

    package var location: String { "memory" }

    package func makeSpillFile(xid: UInt32) throws(ReplicationError) -> any SpillFile {
        try spills.makeSpillFile(xid: xid)
    }

    package func list() throws(ReplicationError) -> [PreparedTransactionStore.Entry] {
        Array(kept.keys)
    }

    package func save(_ info: PrepareInfo, messagesCarryXid: Bool, entries spool: TransactionSpool) throws(ReplicationError) {
        var bytes: [UInt8] = []
        try spool.forEachPiece { piece throws(ReplicationError) in bytes.append(contentsOf: piece) }
        let entry = PreparedTransactionStore.Entry(
            xid: info.xid, gid: info.gid, prepareLSN: info.prepareLSN, endLSN: info.endLSN, messagesCarryXid: messagesCarryXid
        )
        kept[entry] = bytes
        saves += 1
    }

    package func open(_ entry: PreparedTransactionStore.Entry) throws(ReplicationError) -> (file: any SpillFile, offset: Int, length: Int) {
        guard let bytes = kept[entry] else {
            throw .spillFailed(directory: location, operation: "open", reason: "not kept", xid: entry.xid)
        }
        return (MemorySpillFile(xid: entry.xid, bytes: bytes), 0, bytes.count)
    }

    package func delete(_ entry: PreparedTransactionStore.Entry) {
        if kept.removeValue(forKey: entry) != nil { deletes += 1 }
    }
}
