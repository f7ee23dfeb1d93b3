import Foundation
import PGOutput
import TestSupport
import Testing
@testable import PostgresCDC

/// The table store against a real server; above all, a misspelt slot name (issue 16, defect 6).
@Suite struct PostgresCheckpointStoreTests {
    static func fixture() throws -> StreamFixture {
        try StreamFixture.make(
            setup: """
                CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders VALUES (1);
                CREATE PUBLICATION pub FOR TABLE orders;
                """)
    }

    /// Streams `slot` until its first commit (taking the initial snapshot) and acknowledges it.
    static func streamAndAcknowledge(_ fixture: StreamFixture, slot: String, store: PostgresCheckpointStore) async throws {
        var configuration = fixture.configuration()
        configuration.slot = slot
        configuration.snapshot = nil  // a new slot copies the tables first
        let stream = ChangeStream(configuration: configuration, checkpointStore: store)
        var iterator = stream.makeAsyncIterator()
        var inserted = false
        while let event = try await iterator.next() {
            switch event {
            case let .snapshotCompleted(summary):
                try await stream.acknowledge(through: summary.consistentPoint)
                if !inserted {
                    try fixture.server.psql("INSERT INTO orders SELECT max(id) + 1 FROM orders", database: fixture.database)
                    inserted = true
                }
            case let .commit(commit):
                try await stream.acknowledge(commit)
                await stream.close()
                return
            default:
                break
            }
        }
    }

    static func slotExists(_ fixture: StreamFixture, _ slot: String) throws -> Bool {
        try fixture.server.psql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\(slot)'", database: fixture.database) == "1"
    }

    /// Slot "orders" ran and checkpointed; a job started with "ordres" and `createSlot` used to
    /// find no row, create a new slot and copy the tables again, silently. Now it is refused before
    /// connecting, naming both slots and the table, and no slot is created.
    @Test func aMisspeltSlotIsRefusedNamingTheSlotTheTableHolds() async throws {
        let fixture = try Self.fixture()
        let orders = "orders_\(fixture.database)"
        let ordres = "ordres_\(fixture.database)"
        let table = "pgcdc_checkpoint"
        try PostgresCheckpointStore(dsn: fixture.dsn, slot: orders).prepare()
        try await Self.streamAndAcknowledge(fixture, slot: orders, store: PostgresCheckpointStore(dsn: fixture.dsn, slot: orders))
        #expect(try PostgresCheckpointStore(dsn: fixture.dsn, slot: orders).load() != nil)

        var configuration = fixture.configuration()
        configuration.slot = ordres
        configuration.snapshot = nil
        let typo = ChangeStream(configuration: configuration, checkpointStore: PostgresCheckpointStore(dsn: fixture.dsn, slot: ordres))
        var iterator = typo.makeAsyncIterator()
        let error = await #expect(throws: CheckpointError.self) {
            while let event = try await iterator.next() {
                if case .read = event { Issue.record("the misspelt slot copied the tables again") }
            }
        }
        await typo.close()
        let message = error.map { "\($0)" } ?? ""
        #expect(message.contains("\"\(orders)\"") && message.contains("\"\(ordres)\"") && message.contains(table), "\(message)")
        #expect(message.contains("misspelt") && message.contains("sharesTableWithOtherSlots"), "\(message)")
        #expect(try !Self.slotExists(fixture, ordres), "the misspelt slot was created")
    }

    /// Jobs of several slots may share one table on purpose: the option lets a new slot start
    /// afresh beside the others (what every slot did before).
    @Test func aTableSharedOnPurposeLetsANewSlotStartAfresh() async throws {
        let fixture = try Self.fixture()
        let first = "first_\(fixture.database)"
        let second = "second_\(fixture.database)"
        try PostgresCheckpointStore(dsn: fixture.dsn, slot: first).prepare()
        try await Self.streamAndAcknowledge(
            fixture, slot: first, store: PostgresCheckpointStore(dsn: fixture.dsn, slot: first, sharesTableWithOtherSlots: true))
        let shared = PostgresCheckpointStore(dsn: fixture.dsn, slot: second, sharesTableWithOtherSlots: true)
        #expect(try shared.load() == nil)
        try await Self.streamAndAcknowledge(fixture, slot: second, store: shared)
        #expect(try shared.load()?.slot == second)
        #expect(try PostgresCheckpointStore(dsn: fixture.dsn, slot: first).load()?.slot == first)
    }

    @Test func anEmptyTableIsAFreshStartAndASchemaQualifiedNameWorks() throws {
        let fixture = try Self.fixture()
        try fixture.server.psql("CREATE SCHEMA \"Etl\"", database: fixture.database)
        let store = PostgresCheckpointStore(dsn: fixture.dsn, slot: "s", table: "Etl.Checkpoints")
        try store.prepare()
        #expect(try store.load() == nil)
        let checkpoint = Checkpoint(lsn: LSN(0x1_0000_0100), slot: "s", systemIdentifier: "7", timeline: 1)
        try store.save(checkpoint)
        #expect(try store.load() == checkpoint)
        #expect(try fixture.server.psql("SELECT lsn FROM \"Etl\".\"Checkpoints\"", database: fixture.database) == "1/100")
    }

    /// Committing an older checkpoint (a replayed transaction) applies its statements but never
    /// takes the stored position back — from this store or a second one on the same table.
    @Test func anOlderCheckpointNeverTakesTheStoredOneBack() throws {
        let fixture = try Self.fixture()
        let store = PostgresCheckpointStore(dsn: fixture.dsn, slot: "s")
        try store.prepare()
        try store.execute([SQLStatement("CREATE TABLE applied (n int)")])
        let newer = Checkpoint(lsn: LSN(0x2_0000_0000), slot: "s", systemIdentifier: "7", timeline: 1)
        let older = Checkpoint(lsn: LSN(0x1_0000_0000), slot: "s", systemIdentifier: "7", timeline: 1)
        try store.commit(newer, applying: [SQLStatement("INSERT INTO applied VALUES (1)")])
        try store.commit(older, applying: [SQLStatement("INSERT INTO applied VALUES (2)")])
        try PostgresCheckpointStore(dsn: fixture.dsn, slot: "s").save(older)
        #expect(try store.load()?.lsn == newer.lsn)
        #expect(try fixture.server.psql("SELECT string_agg(n::text, ',' ORDER BY n) FROM applied", database: fixture.database) == "1,2")
    }
}
