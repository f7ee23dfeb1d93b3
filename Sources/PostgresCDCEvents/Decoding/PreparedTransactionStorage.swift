import PGOutput
import PostgresCDCBase

/// Where prepared transactions (two-phase decoding) wait for COMMIT PREPARED or ROLLBACK PREPARED.
/// Once pgcdc has confirmed a PREPARE, the server never sends its changes again — only the
/// decision — so a storage must keep them across a restart. ``PreparedTransactionStore`` decides
/// what is saved and when it may go; an implementation does the I/O.
///
/// Called once per prepared transaction (and once per spill while one is received), never per
/// message. ``FilePreparedTransactionStorage`` is what pgcdc uses; ``MemoryPreparedTransactionStorage``
/// is for tests (it survives a "restart" as long as the same object is handed to the next store).
package protocol PreparedTransactionStorage: SpillStorage {
    /// The prepared transactions kept, as found when the storage was opened.
    func list() throws(ReplicationError) -> [PreparedTransactionStore.Entry]
    /// Keeps a prepared transaction and its entries (all of `spool`): durable once this returns.
    func save(_ info: PrepareInfo, messagesCarryXid: Bool, entries spool: TransactionSpool) throws(ReplicationError)
    /// The entries of a kept transaction: a file (the caller owns it from now on) and where in it
    /// they start and how many bytes they take.
    func open(_ entry: PreparedTransactionStore.Entry) throws(ReplicationError) -> (file: any SpillFile, offset: Int, length: Int)
    /// Forgets a kept transaction (the position after its decision is confirmed).
    func delete(_ entry: PreparedTransactionStore.Entry)
}
