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

    /// PostgreSQL writes a commit into the WAL before other transactions can see it; a synchronous
    /// standby that never answers holds a transaction in between for as long as it likes. The
    /// stream hands that update out, but a chunk read meanwhile still sees the old row: handing it
    /// out after the update would leave the consumer with the old version. The chunk is read
    /// again until the update is visible.
    @Test func aChunkReadWhileAHandedOutUpdateIsNotVisibleYetIsReadAgain() async throws {
        let server = try TestServer.own(
            setup: """
                CREATE TABLE items (id int PRIMARY KEY, version int);
                INSERT INTO items SELECT g, 1 FROM generate_series(1, 300) g;
                CREATE PUBLICATION pub FOR TABLE items;
                ALTER DATABASE app SET synchronous_commit = local;
                """)
        defer { server.stop() }
        var configuration = StreamConfiguration(dsn: server.dsn(database: "app"), slot: "held", publication: "pub")
        configuration.createSlot = true
        configuration.snapshot = .never
        configuration.statusInterval = 0.2
        let messages = RecordingLogHandler.Messages()
        let stream = ChangeStream(configuration: configuration, logger: RecordingLogHandler.logger(into: messages))
        var iterator = stream.makeAsyncIterator()
        // The slot first: creating it waits for running transactions, the held one too.
        try await ChangeStreamTests.waitUntilConnected(stream)
        try server.psql("ALTER SYSTEM SET synchronous_standby_names = 'absent'")
        try server.psql("SELECT pg_reload_conf()")
        let writer = try BackgroundProcess(
            [
                "-X", "-q", "-h", server.host, "-p", "\(server.port)", "-U", "postgres", "-d", "app", "-c",
                "SET synchronous_commit = on; UPDATE items SET version = 2 WHERE id = 150",
            ], stdoutPath: "/dev/null", stderrPath: "/dev/null", executable: server.binDirectory + "/psql")
        let held = try await awaitUntil(turns: 300, every: .milliseconds(50)) {
            try server.psql("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'") == "1"
        }
        try #require(held, "the update does not wait for the standby")
        #expect(try server.psql("SELECT version FROM items WHERE id = 150", database: "app") == "1", "the update is not visible yet")

        let id = try await stream.requestBackfill(BackfillRequest(table: "items", chunkSize: 100))
        var latest: [Int: Int] = [:]  // id → the version handed out last, as a consumer's upserts leave it
        var releasedBeforeCompletion = false
        while let event = try await iterator.next() {
            switch event {
            case let .update(change), let .read(change):
                latest[try change.new?["id"].as(Int.self) ?? -1] = try change.new?["version"].as(Int.self)
            case let .backfill(backfill) where backfill.id == id && backfill.kind == .started:
                // Release the update after the backfill had time to read (and refuse) its chunks.
                let host = server
                Task.detached {
                    try await Task.sleep(for: .seconds(2))
                    try host.psql("ALTER SYSTEM RESET synchronous_standby_names")
                    try host.psql("SELECT pg_reload_conf()")
                }
            case let .backfill(backfill) where backfill.id == id:
                #expect(backfill.kind == .completed)
                releasedBeforeCompletion = writer.wait(timeout: 0) != nil
            case let .commit(commit):
                try await stream.acknowledge(commit)
            default:
                break
            }
            if case let .backfill(backfill) = event, backfill.id == id, backfill.kind != .started { break }
        }
        stream.stop()
        #expect(writer.wait(timeout: 30) == 0)
        #expect(releasedBeforeCompletion, "the backfill completed while the update was not visible")
        #expect(latest.count == 300)
        #expect(latest[150] == 2, "the consumer is left with version \(latest[150] ?? 0) of row 150")
        #expect(latest.filter { $0.key != 150 }.allSatisfy { $0.value == 1 })
        #expect(messages.lines.contains { $0.contains("reading a backfill chunk again") })
    }
}
