import Foundation
import Logging
import PGOutput
import ServiceLifecycle
import TestSupport
import Testing
@testable import PostgresCDC

/// Batches, `run` and the service against a real server.
@Suite struct ChangeBatchesTests {
    /// A fresh slot: the snapshot comes in parts flagged as a start, `run` acknowledges its
    /// completion by itself (nothing stalls), changes follow in whole transactions, and the stream
    /// says when it has caught up.
    @Test func runHandsOutTheSnapshotAndChangesAndAcknowledgesThemItself() async throws {
        let fixture = try ChangeStreamTests.fixture()
        try fixture.server.psql(
            "INSERT INTO items (id, name) SELECT g, 'n' || g FROM generate_series(1, 5) g", database: fixture.database)
        var configuration = fixture.configuration()
        configuration.snapshot = nil  // a new slot takes the initial snapshot
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgcdc-batches-\(fixture.database)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = FileCheckpointStore(path: "\(directory)/cp.json")
        let stream = ChangeStream(configuration: configuration, checkpointStore: store)

        var batches: [ChangeBatch] = []
        var wroteChanges = false
        try await stream.run(maxEvents: 2, maxDelay: .milliseconds(50)) { batch in
            batches.append(batch)
            if batch.isCaughtUp, !wroteChanges {
                wroteChanges = true
                for id in 6...8 {
                    try fixture.server.psql("INSERT INTO items (id, name) VALUES (\(id), 'n\(id)')", database: fixture.database)
                }
            }
            let ids = batches.flatMap(\.rowChanges).compactMap { try? $0.new?["id"].as(Int.self) }
            if ids.contains(8) { stream.stop() }
        }

        let snapshotParts = batches.prefix { $0.acknowledgeThrough == nil }
        #expect(batches.first?.startsSnapshot == true)
        #expect(batches.first?.snapshotTables.map(\.table) == ["items"])
        #expect(batches.dropFirst().allSatisfy { $0.snapshotTables.isEmpty })
        #expect(snapshotParts.allSatisfy { $0.events.count <= 2 && $0.checkpoint == nil })
        #expect(batches.dropFirst().allSatisfy { !$0.startsSnapshot })
        let ids = batches.flatMap(\.rowChanges).compactMap { try? $0.new?["id"].as(Int.self) }
        #expect(ids == Array(1...8))
        #expect(batches.flatMap(\.rowChanges).prefix(5).allSatisfy { $0.operation == .read })
        // Every batch after the snapshot holds whole transactions.
        for batch in batches
        where batch.acknowledgeThrough != nil && !batch.events.contains(where: { if case .snapshotCompleted = $0 { true } else { false } })
        {
            guard case .commit = batch.events.last else {
                Issue.record("a batch ends inside a transaction")
                continue
            }
        }
        #expect(batches.contains { $0.isCaughtUp })
        let last = try #require(batches.last?.acknowledgeThrough)
        #expect(try store.load()?.lsn == last)
    }

    /// On an idle stream, `batches` says it has caught up (an empty batch) instead of waiting silently.
    @Test func anIdleStreamSaysItHasCaughtUp() async throws {
        let fixture = try ChangeStreamTests.fixture()
        let stream = ChangeStream(configuration: fixture.configuration())
        var iterator = stream.batches(maxDelay: .milliseconds(20)).makeAsyncIterator()
        let first = try #require(try await iterator.next())
        #expect(first.isCaughtUp && first.events.isEmpty && first.acknowledgeThrough == nil)
        try fixture.server.psql("INSERT INTO items (id) VALUES (1), (2)", database: fixture.database)
        var rows: [RowChange] = []
        while rows.isEmpty, let batch = try await iterator.next() {
            rows += batch.rowChanges
        }
        #expect(rows.count == 2)
        await stream.close()
    }

    /// A graceful shutdown of the service group ends the run after the batch in hand, acknowledged
    /// and told to the server (the slot's confirmed position is at least the batch's end), and frees the slot.
    @Test func theServiceShutsDownGracefullyAfterAcknowledging() async throws {
        let fixture = try ChangeStreamTests.fixture()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgcdc-service-\(fixture.database)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = FileCheckpointStore(path: "\(directory)/cp.json")
        let stream = ChangeStream(configuration: fixture.configuration(), checkpointStore: store)
        let handled = HandledBatches()
        let service = ChangeStreamService(stream: stream, maxDelay: .milliseconds(20)) { batch in
            await handled.add(batch)
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [service], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        try await ChangeStreamTests.waitUntilConnected(stream)
        try fixture.server.psql("INSERT INTO items (id) VALUES (1)", database: fixture.database)
        try fixture.server.psql("INSERT INTO items (id) VALUES (2)", database: fixture.database)
        _ = try await awaitUntil { await handled.rowCount() >= 2 }
        #expect(await handled.rowCount() == 2)
        await group.triggerGracefulShutdown()
        try await running.value

        let acknowledged = try #require(await handled.lastAcknowledgement())
        #expect(try store.load()?.lsn == acknowledged)
        // At least the acknowledged position (a quiet stream also confirms the server's position past it).
        let slot = try fixture.server.psql(
            "SELECT active::text || ' ' || (confirmed_flush_lsn >= '\(acknowledged)'::pg_lsn)::text FROM pg_replication_slots "
                + "WHERE slot_name = '\(fixture.slot)'",
            database: fixture.database)
        #expect(slot == "false true")
    }
}

/// What a service's handler saw.
actor HandledBatches {
    private var batches: [ChangeBatch] = []
    func add(_ batch: ChangeBatch) { batches.append(batch) }
    func rowCount() -> Int { batches.reduce(0) { $0 + $1.rowChanges.count } }
    func lastAcknowledgement() -> LSN? { batches.compactMap(\.acknowledgeThrough).last }
}
