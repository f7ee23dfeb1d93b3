import PostgresCDC
import PostgresNIO

/// The blocking requirements `ChangeStream` calls: on its reader thread when it starts (load) and
/// on its blocking-I/O threads when the consumer acknowledges (save), never on Swift's cooperative
/// pool or a SwiftNIO event loop — the threads the awaited work itself runs on. Called from async
/// code they throw instead of blocking; the job uses the async methods.
extension PostgresNIOCheckpointStore: CheckpointStore {
    /// The stored checkpoint, waiting for it on the calling thread: for `ChangeStream`, not for
    /// async code (which calls ``storedCheckpoint()``).
    public func load() throws -> Checkpoint? {
        try BlockingWait.result(of: "load the checkpoint of slot \"\(slot)\"", table: table.name) {
            try await self.storedCheckpoint()
        }
    }

    /// Stores `checkpoint` in a transaction of its own unless the table already holds it (the job
    /// saved it in its own transaction, which is the usual case: then nothing is written), waiting
    /// on the calling thread: for `ChangeStream`'s acknowledgements, not for async code.
    ///
    /// Acknowledging inside the job's transaction that saved the checkpoint would wait for that
    /// transaction's row lock forever; the wait is bounded (`lock_timeout`) and then throws saying so.
    public func save(_ checkpoint: Checkpoint) throws {
        try BlockingWait.result(of: "save the checkpoint of slot \"\(slot)\"", table: table.name) {
            try await self.saveUnlessStored(checkpoint)
        }
    }

    /// How long the acknowledgement's own save waits for another transaction's lock on the row.
    static let lockTimeout = "10s"

    func saveUnlessStored(_ checkpoint: Checkpoint) async throws {
        if let stored = try await storedCheckpoint(), stored.lsn >= checkpoint.lsn { return }
        do {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SET LOCAL lock_timeout = '\(unescaped: Self.lockTimeout)'", logger: logger)
                try await save(checkpoint, on: connection)
            }
        } catch let error as PostgresTransactionError {
            if let closure = error.closureError as? PSQLError, closure.serverInfo?[.sqlState] == "55P03" {
                throw CheckpointError(
                    path: table.name,
                    reason: "the row of slot \"\(slot)\" stayed locked by another transaction for \(Self.lockTimeout); "
                        + "if the job acknowledges inside the transaction that saved the checkpoint, acknowledge after it commits")
            }
            throw error.closureError ?? error
        }
    }
}
