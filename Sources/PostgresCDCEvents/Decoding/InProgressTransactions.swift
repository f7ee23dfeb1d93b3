import PGOutput
import PostgresCDCBase

/// The streamed transactions that have not committed or aborted yet (pgoutput `streaming`), each
/// in a ``TransactionSpool``. Together they hold at most `memoryLimit` bytes in memory: past it,
/// the largest spills to its file, as PostgreSQL's own reorder buffer does.
///
/// Decides what spills and when; the files are the ``SpillStorage``'s (the only I/O).
package final class InProgressTransactions {
    /// Memory the spools may hold before the largest is moved to disk.
    package let memoryLimit: Int
    /// Where spools spill.
    let storage: any SpillStorage
    private var spools: [UInt32: TransactionSpool] = [:]
    /// Memory held by all spools (their buffers' capacity).
    private(set) var memoryInUse = 0
    /// Highest ``memoryInUse`` seen.
    private(set) var peakMemory = 0
    /// How many times a spool was moved to disk.
    private(set) var spillCount = 0

    package init(memoryLimit: Int, storage: any SpillStorage) {
        self.memoryLimit = memoryLimit
        self.storage = storage
    }

    /// Spools that spill to files in `spillDirectory` (created, and at once unlinked).
    package convenience init(memoryLimit: Int, spillDirectory: String) {
        self.init(memoryLimit: memoryLimit, storage: FileSpillStorage(directory: spillDirectory))
    }

    /// Transactions in progress.
    package var count: Int { spools.count }

    /// Adds a message of `subtransaction` (the top-level `xid` itself, or one of its subtransactions).
    package func append(_ message: ArraySlice<UInt8>, xid: UInt32, subtransaction: UInt32, lsn: LSN) throws(ReplicationError) {
        let spool = spools[xid] ?? makeSpool(xid)
        let before = spool.memoryCost
        spool.append(message, subtransaction: subtransaction, lsn: lsn)
        memoryInUse += spool.memoryCost - before
        if memoryInUse > peakMemory { peakMemory = memoryInUse }
        while memoryInUse > memoryLimit, let largest = spools.values.max(by: { $0.memoryCost < $1.memoryCost }), largest.memoryCost > 0 {
            let cost = largest.memoryCost
            try largest.spill()
            memoryInUse -= cost - largest.memoryCost
            spillCount += 1
        }
    }

    /// Ends a transaction that committed: its spool, for replay (`nil` when nothing of it was
    /// streamed, or everything streamed was in aborted subtransactions).
    package func commit(_ xid: UInt32) -> TransactionSpool? {
        guard let spool = spools.removeValue(forKey: xid) else { return nil }
        memoryInUse -= spool.memoryCost
        return spool
    }

    /// Drops an aborted transaction (`subtransaction == xid`) or one of its subtransactions.
    func abort(_ xid: UInt32, subtransaction: UInt32) throws(ReplicationError) {
        guard let spool = spools[xid] else { return }
        if subtransaction == xid {
            spools[xid] = nil
            memoryInUse -= spool.memoryCost
            spool.close()
            return
        }
        let before = spool.memoryCost
        try spool.discard(subtransaction: subtransaction)
        memoryInUse += spool.memoryCost - before
    }

    /// Drops everything (the session ends; the server streams unfinished transactions again).
    package func removeAll() {
        for spool in spools.values { spool.close() }
        spools = [:]
        memoryInUse = 0
    }

    private func makeSpool(_ xid: UInt32) -> TransactionSpool {
        let spool = TransactionSpool(xid: xid, storage: storage)
        spools[xid] = spool
        return spool
    }
}
