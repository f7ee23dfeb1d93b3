import Foundation
import PGOutput
import PostgresCDC
import PostgresNIO
import Testing
@testable import PostgresCDCPostgresNIO

/// The postgres-nio store against a real server: inside the job's transaction, forward only, and
/// the same table as the libpq store.
@Suite struct PostgresNIOCheckpointStoreTests {
    static func checkpoint(_ lsn: UInt64, slot: String = "orders") -> Checkpoint {
        Checkpoint(lsn: LSN(lsn), slot: slot, systemIdentifier: "7441234567890123456", timeline: 1)
    }

    @Test func theJobsWriteAndTheCheckpointCommitTogether() async throws {
        let database = try NIOTestDatabase.make(setup: "CREATE TABLE target (id int PRIMARY KEY)")
        try await database.withClient { client in
            let store = try PostgresNIOCheckpointStore(client: client, slot: "orders")
            try await store.prepare()
            #expect(try await store.storedCheckpoint() == nil)
            try await client.withTransaction(logger: NIOTestDatabase.logger) { connection in
                try await connection.query("INSERT INTO target VALUES (\(1))", logger: NIOTestDatabase.logger)
                try await store.save(Self.checkpoint(0x1_0000_0100), on: connection)
                // Inside the transaction the job sees its own checkpoint; nobody else does yet.
                #expect(try await store.load(on: connection) == Self.checkpoint(0x1_0000_0100))
                #expect(try database.psql("SELECT count(*) FROM pgcdc_checkpoint") == "0")
            }
            #expect(try await store.storedCheckpoint() == Self.checkpoint(0x1_0000_0100))
            #expect(try database.psql("SELECT count(*) FROM target") == "1")
        }
    }

    @Test func anErrorInsideTheTransactionRollsBackTheWriteAndTheCheckpoint() async throws {
        struct JobFailed: Error {}
        let database = try NIOTestDatabase.make(setup: "CREATE TABLE target (id int PRIMARY KEY)")
        try await database.withClient { client in
            let store = try PostgresNIOCheckpointStore(client: client, slot: "orders")
            try await store.prepare()
            try await client.withTransaction(logger: NIOTestDatabase.logger) { try await store.save(Self.checkpoint(0x100), on: $0) }
            await #expect(throws: PostgresTransactionError.self) {
                try await client.withTransaction(logger: NIOTestDatabase.logger) { connection in
                    try await connection.query("INSERT INTO target VALUES (\(1))", logger: NIOTestDatabase.logger)
                    try await store.save(Self.checkpoint(0x200), on: connection)
                    throw JobFailed()
                }
            }
            #expect(try await store.storedCheckpoint() == Self.checkpoint(0x100))
            #expect(try database.psql("SELECT count(*) FROM target") == "0")
        }
    }

    /// A replayed transaction saves an older checkpoint: it changes nothing, through either API.
    @Test func theCheckpointNeverMovesBackwards() async throws {
        let database = try NIOTestDatabase.make()
        try await database.withClient { client in
            let store = try PostgresNIOCheckpointStore(client: client, slot: "orders")
            try await store.prepare()
            try await client.withTransaction(logger: NIOTestDatabase.logger) {
                try await store.save(Self.checkpoint(0x2_0000_0000), on: $0)
            }
            try await client.withTransaction(logger: NIOTestDatabase.logger) {
                try await store.save(Self.checkpoint(0x1_0000_0000), on: $0)
            }
            #expect(try await store.storedCheckpoint()?.lsn == LSN(0x2_0000_0000))
            try await onAThreadOfItsOwn { try store.save(Self.checkpoint(0x1_8000_0000)) }
            #expect(try await onAThreadOfItsOwn { try store.load() }?.lsn == LSN(0x2_0000_0000))
            // The blocking save writes when it is ahead (a stream whose job does not save itself).
            try await onAThreadOfItsOwn { try store.save(Self.checkpoint(0x3_0000_0000)) }
            #expect(try await store.storedCheckpoint()?.lsn == LSN(0x3_0000_0000))
        }
    }

    /// The blocking requirements are for ChangeStream's threads: from async code they refuse,
    /// saying which async method to call, instead of blocking a thread of the cooperative pool.
    @Test func theBlockingRequirementsRefuseToBlockAsyncCode() async throws {
        let database = try NIOTestDatabase.make()
        try await database.withClient { client in
            let store: any CheckpointStore = try PostgresNIOCheckpointStore(client: client, slot: "orders")
            let error = #expect(throws: CheckpointError.self) { try store.load() }
            #expect(error?.description.contains("storedCheckpoint()") == true)
            #expect(throws: CheckpointError.self) { try store.save(Self.checkpoint(0x100)) }
        }
    }

    /// The table holds slot "orders" but the store is for "ordres": refused, naming both (defect 6).
    @Test func aMisspeltSlotIsRefusedUnlessTheTableIsSharedOnPurpose() async throws {
        let database = try NIOTestDatabase.make()
        try await database.withClient { client in
            let orders = try PostgresNIOCheckpointStore(client: client, slot: "orders")
            try await orders.prepare()
            try await client.withTransaction(logger: NIOTestDatabase.logger) { try await orders.save(Self.checkpoint(0x100), on: $0) }
            let typo = try PostgresNIOCheckpointStore(client: client, slot: "ordres")
            let error = await #expect(throws: CheckpointError.self) { try await typo.storedCheckpoint() }
            let message = error?.description ?? ""
            #expect(message.contains("\"orders\"") && message.contains("\"ordres\"") && message.contains("pgcdc_checkpoint"), "\(message)")
            let shared = try PostgresNIOCheckpointStore(client: client, slot: "ordres", sharesTableWithOtherSlots: true)
            #expect(try await shared.storedCheckpoint() == nil)
        }
    }

    /// Either store reads what the other wrote: same table, same rows.
    @Test func theLibpqStoreAndThisStoreReadEachOthersCheckpoints() async throws {
        let database = try NIOTestDatabase.make()
        let libpq = PostgresCheckpointStore(dsn: database.dsn, slot: "orders", table: "etl.checkpoints")
        try database.psql("CREATE SCHEMA etl")
        try libpq.prepare()
        try libpq.save(Self.checkpoint(0x1_0000_0100))
        try await database.withClient { client in
            let store = try PostgresNIOCheckpointStore(client: client, slot: "orders", table: "etl.checkpoints")
            try await store.prepare()
            #expect(try await store.storedCheckpoint() == Self.checkpoint(0x1_0000_0100))
            try await client.withTransaction(logger: NIOTestDatabase.logger) {
                try await store.save(Self.checkpoint(0x2_0000_0200), on: $0)
            }
        }
        #expect(try libpq.load() == Self.checkpoint(0x2_0000_0200))
    }
}
