import Foundation
import PGOutput
import TestSupport
import Testing
@testable import PostgresCDC

/// ``ChangeStream/requestBackfill(_:)``: the rows arrive typed, tagged with the backfill, between
/// its start and end events, in a transaction the consumer acknowledges like any other.
@Suite struct ChangeStreamBackfillTests {
    @Test func aRequestedBackfillHandsOutEveryRowBetweenItsStartAndItsEnd() async throws {
        let fixture = try StreamFixture.make(
            setup: """
                CREATE TABLE items (id int PRIMARY KEY, name text);
                INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 2500) g;
                CREATE PUBLICATION pub FOR TABLE items;
                """)
        let stream = ChangeStream(configuration: fixture.configuration())
        var iterator = stream.makeAsyncIterator()
        try await ChangeStreamTests.waitUntilConnected(stream)
        let id = try await stream.requestBackfill(BackfillRequest(table: "items", chunkSize: 1000))
        var kinds: [BackfillEvent.Kind] = []
        var ids: [Int] = []
        while let event = try await iterator.next() {
            switch event {
            case let .backfill(backfill):
                #expect(backfill.id == id && backfill.table == "public.items")
                kinds.append(backfill.kind)
            case let .read(change):
                #expect(change.backfill == id)
                ids.append(try change.new?["id"].as(Int.self) ?? -1)
            case let .commit(commit):
                try await stream.acknowledge(commit)
            default:
                break
            }
            if kinds.last == .completed { break }
        }
        stream.stop()
        // A reconnect on a busy machine hands out again the transaction the consumer was in: repeats, never gaps.
        #expect(kinds.first == .started && kinds.last == .completed, "\(kinds)")
        #expect(Set(ids) == Set(1...2500) && ids.count >= 2500)
        #expect(ids == ids.sorted() || ids.count > 2500, "rows arrive in key order")
        await #expect(throws: ReplicationError.self) {
            try await stream.requestBackfill(BackfillRequest(table: "items", whereClause: "no_such_column = 1"))
        }
    }

    // The Backfills article's code.
    func backfillItems(on stream: ChangeStream) async throws -> Int {
        var events = stream.makeAsyncIterator()
        let id = try await stream.requestBackfill(BackfillRequest(table: "public.items", chunkSize: 1000))
        var stored: Set<Int> = []  // stands for the job's table: a read is an upsert on the key
        var finished = false
        while let event = try await events.next() {
            switch event {
            case let .read(change) where change.backfill == id:
                stored.insert(try change.new?["id"].as(Int.self) ?? 0)
            case let .backfill(backfill) where backfill.id == id && backfill.kind != .started:
                finished = true
            case let .commit(commit):
                try await stream.acknowledge(commit)
                if finished { return stored.count }
            default:
                break
            }
        }
        return stored.count
    }

    @Test func theDocumentedBackfillReadsEveryRowOnAnExistingSlot() async throws {
        let fixture = try StreamFixture.make(
            setup: """
                CREATE TABLE items (id int PRIMARY KEY, name text);
                INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 1500) g;
                CREATE PUBLICATION pub FOR TABLE items;
                """)
        try fixture.server.psql("SELECT pg_create_logical_replication_slot('\(fixture.slot)', 'pgoutput')", database: fixture.database)
        let stream = ChangeStream(configuration: fixture.configuration())
        #expect(try await backfillItems(on: stream) == 1500)
        await stream.close()
    }
}
