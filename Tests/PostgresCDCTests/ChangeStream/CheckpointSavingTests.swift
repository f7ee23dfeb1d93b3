import Foundation
import PGOutput
import TestSupport
import Testing
@testable import PostgresCDC

/// Who writes the checkpoint, what an empty store facing an existing slot does, and how long a
/// caught-up batch lingers — against a real server, with a store that counts its calls.
@Suite struct CheckpointSavingTests {
    /// A store in memory that counts its loads and saves; like every store, it only moves forward.
    final class CountingStore: CheckpointStore, @unchecked Sendable {
        // Safe: every field is touched with `lock` held.
        private let lock = NSLock()
        private var stored: Checkpoint?
        private var loadCount = 0
        private var saveCount = 0

        var loads: Int { lock.withLock { loadCount } }
        var saves: Int { lock.withLock { saveCount } }
        var checkpoint: Checkpoint? { lock.withLock { stored } }

        func load() throws -> Checkpoint? {
            lock.withLock {
                loadCount += 1
                return stored
            }
        }

        func save(_ checkpoint: Checkpoint) throws {
            lock.withLock {
                saveCount += 1
                if checkpoint.lsn > (stored?.lsn ?? .zero) { stored = checkpoint }
            }
        }
    }

    /// Writes `count` transactions of one insert each and returns the WAL position after them.
    static func writeTransactions(_ fixture: StreamFixture, ids: ClosedRange<Int>) throws -> LSN {
        for id in ids {
            try fixture.server.psql("INSERT INTO items (id, name) VALUES (\(id), 'n\(id)')", database: fixture.database)
        }
        return try #require(LSN(try fixture.server.psql("SELECT pg_current_wal_insert_lsn()", database: fixture.database)))
    }

    /// A fixture whose slot exists (created without a snapshot, as `snapshot = .never` streams
    /// from it) and has five one-row transactions to stream; its configuration ends after them.
    static func slotWithTransactions(_ count: Int) throws -> (StreamFixture, StreamConfiguration) {
        let fixture = try ChangeStreamTests.fixture()
        try fixture.server.psql("SELECT pg_create_logical_replication_slot('\(fixture.slot)', 'pgoutput')", database: fixture.database)
        var configuration = fixture.configuration()
        configuration.endLSN = try writeTransactions(fixture, ids: 1...count)
        return (fixture, configuration)
    }

    @Test func aHandlerThatStoresTheCheckpointIsTheOnlyWriterOnePerBatch() async throws {
        let (_, configuration) = try Self.slotWithTransactions(5)
        let store = CountingStore()
        let stream = ChangeStream(configuration: configuration, checkpointStore: store, checkpointSaving: .byHandler)
        var acknowledged = 0
        try await stream.run(maxEvents: 1) { batch in
            // The job's own transaction: its writes, then the batch's checkpoint.
            if let checkpoint = batch.checkpoint {
                try store.save(checkpoint)
                acknowledged += 1
            }
        }
        #expect(acknowledged == 5)
        #expect(store.saves == acknowledged)
        // Loaded when connecting, and once more to check the handler's first save.
        #expect(store.loads == 2)
        #expect(store.checkpoint != nil)

        // The stream saves by itself by default: one save per acknowledged batch.
        let (_, configuration2) = try Self.slotWithTransactions(5)
        let store2 = CountingStore()
        let stream2 = ChangeStream(configuration: configuration2, checkpointStore: store2)
        var batches = 0
        var seen: [[Int]] = []
        try await stream2.run(maxEvents: 1) { batch in
            if batch.checkpoint != nil { batches += 1 }
            seen.append(batch.rowChanges.compactMap { try? $0.new?["id"].as(Int.self) })
        }
        #expect(batches == 5, "\(seen)")
        #expect(store2.saves == batches)
        #expect(store2.loads == 1)
    }

    @Test func aHandlerThatForgetsToStoreTheCheckpointIsCaughtAtTheFirstBatch() async throws {
        let (_, configuration) = try Self.slotWithTransactions(2)
        let store = CountingStore()
        let stream = ChangeStream(configuration: configuration, checkpointStore: store, checkpointSaving: .byHandler)
        let error = await #expect(throws: ChangeStreamError.self) {
            try await stream.run { _ in }
        }
        guard case .checkpointNotStored(_, stored: nil)? = error else {
            Issue.record("expected checkpointNotStored, got \(String(describing: error))")
            return
        }
        #expect("\(error!)".contains("store batch.checkpoint in the handler's transaction"))
        #expect(store.saves == 0)
    }

    /// A target rebuilt from scratch — its store emptied — must not stream on from the slot's
    /// position without the rows written before: refused by default, re-copied with `.resnapshot`.
    @Test func anEmptyStoreFacingAnExistingSlotIsRefusedOrCopiedAgain() async throws {
        let fixture = try ChangeStreamTests.fixture()
        var configuration = fixture.configuration()
        configuration.snapshot = nil
        configuration.endLSN = try Self.writeTransactions(fixture, ids: 1...3)
        let first = CountingStore()
        try await ChangeStream(configuration: configuration, checkpointStore: first).run { _ in }
        let confirmed = try #require(first.checkpoint?.lsn)

        // The store is gone (the target was deleted); the slot is still there.
        configuration.endLSN = nil
        let emptied = CountingStore()
        let refused = await #expect(throws: ReplicationError.self) {
            try await ChangeStream(configuration: configuration, checkpointStore: emptied, reconnect: nil).run { _ in }
        }
        let message = "\(refused.map { "\($0)" } ?? "")"
        #expect(message.contains("replication slot \"\(fixture.slot)\" exists"))
        #expect(message.contains("confirmed up to LSN \(confirmed)"))
        #expect(message.contains("onEmptyStore = .resnapshot"))
        #expect(message.contains("onEmptyStore = .continueFromSlot"))
        #expect(emptied.saves == 0)

        // .resnapshot drops the slot and copies the table again: every row comes back.
        configuration.onEmptyStore = .resnapshot
        configuration.endLSN = try Self.writeTransactions(fixture, ids: 4...4)
        var ids: [Int] = []
        var startedSnapshot = false
        try await ChangeStream(configuration: configuration, checkpointStore: emptied).run { batch in
            startedSnapshot = startedSnapshot || batch.startsSnapshot
            ids += batch.rowChanges.compactMap { try? $0.new?["id"].as(Int.self) }
        }
        #expect(startedSnapshot)
        #expect(Set(ids) == Set(1...4))
        #expect(emptied.checkpoint != nil)

        // .continueFromSlot streams on: nothing before the slot's position comes again.
        let slots = try fixture.server.psql(
            "SELECT string_agg(slot_name || ' ' || confirmed_flush_lsn, ',') FROM pg_replication_slots", database: fixture.database)
        let continued = CountingStore()
        configuration.onEmptyStore = .continueFromSlot
        configuration.endLSN = try Self.writeTransactions(fixture, ids: 5...5)
        var later: [Int] = []
        try await ChangeStream(configuration: configuration, checkpointStore: continued).run { batch in
            later += batch.rowChanges.compactMap { try? $0.new?["id"].as(Int.self) }
        }
        #expect(later == [5], "slots before: \(slots); end \(String(describing: configuration.endLSN))")
    }

    /// Under a trickle of writes a caught-up stream hands out about one transaction per batch;
    /// with a linger, the transactions that arrive while the batch waits join it.
    @Test func aLingeringBatchGathersTheTransactionsThatArriveWhileItWaits() async throws {
        let fixture = try ChangeStreamTests.fixture()
        let stream = ChangeStream(configuration: fixture.configuration())
        var iterator = stream.batches(maxDelay: .seconds(60), linger: .seconds(5)).makeAsyncIterator()
        let idle = try #require(try await iterator.next())
        #expect(idle.isCaughtUp && idle.events.isEmpty)
        _ = try Self.writeTransactions(fixture, ids: 1...3)
        let batch = try #require(try await iterator.next())
        let commits = batch.events.filter { if case .commit = $0 { true } else { false } }
        #expect(commits.count == 3)
        #expect(batch.rowChanges.compactMap { try? $0.new?["id"].as(Int.self) } == [1, 2, 3])
        await stream.close()
    }
}
