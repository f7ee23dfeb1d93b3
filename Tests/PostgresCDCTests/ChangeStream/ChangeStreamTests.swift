import Foundation
import PGOutput
import TestSupport
import Testing
@testable import PostgresCDC

/// The library API against a real server: typed events, acknowledgements, resuming, backpressure,
/// cancellation.
@Suite struct ChangeStreamTests {
    static func fixture() throws -> StreamFixture {
        try StreamFixture.make(
            setup: """
                CREATE TABLE items (id int PRIMARY KEY, name text, qty int, price numeric(8,2), added timestamptz);
                CREATE PUBLICATION pub FOR TABLE items;
                """)
    }

    /// Reads events until `count` commits have arrived (with a deadline).
    static func collect(_ iterator: inout ChangeStream.Iterator, commits count: Int) async throws -> [ChangeEvent] {
        var events: [ChangeEvent] = []
        var commits = 0
        while commits < count, let event = try await iterator.next() {
            events.append(event)
            if case .commit = event { commits += 1 }
        }
        return events
    }

    /// `for try await event in ChangeStream(…)`: the loop's iterator is all that holds the stream,
    /// and it keeps it alive (it used to be stopped by its `deinit` at once, ending the loop empty).
    @Test func aStreamThatOnlyItsLoopHoldsStreams() async throws {
        let fixture = try Self.fixture()
        // A first stream creates the slot, so that the insert below is in it.
        let creator = ChangeStream(configuration: fixture.configuration())
        _ = creator.makeAsyncIterator()
        try await Self.waitUntilConnected(creator)
        await creator.close()
        try fixture.server.psql("INSERT INTO items VALUES (1, 'tea', 2, 3.50, NULL)", database: fixture.database)
        var rows = 0
        for try await event in ChangeStream(configuration: fixture.configuration()) {
            if event.rowChange != nil { rows += 1 }
            if case .commit = event { break }
        }
        #expect(rows == 1)
    }

    @Test func eventsAreTypedAndEveryTransactionEndsWithACommit() async throws {
        let fixture = try Self.fixture()
        let stream = ChangeStream(configuration: fixture.configuration())
        var iterator = stream.makeAsyncIterator()
        // The slot is created when the stream connects; wait for that before writing.
        try await Self.waitUntilConnected(stream)
        try fixture.server.psql(
            "INSERT INTO items VALUES (1, 'tea', 2, 3.50, '2026-11-25 10:00:00+00'), (2, NULL, 1, 1.00, NULL)", database: fixture.database)
        let events = try await Self.collect(&iterator, commits: 1)
        stream.stop()
        let rows = events.compactMap { event -> RowChange? in
            event.rowChange
        }
        try #require(rows.count == 2)
        let first = try #require(rows[0].new)
        #expect(try first["id"].as(Int.self) == 1)
        #expect(try first["name"].as(String.self) == "tea")
        #expect(try first["price"].as(String.self) == "3.50")
        #expect(try first["price"].as(Double.self) == 3.5)
        #expect(try first["added"].as(Date.self) == Date(timeIntervalSince1970: 1_795_600_800))
        #expect(try rows[1].new?["name"].as(String?.self) == .some(nil))
        #expect(throws: PostgresValueError.null(expected: "String")) { try rows[1].new?["name"].as(String.self) }
        #expect(throws: PostgresValueError.noSuchColumn("nope", table: "public.items")) { try first["nope"].as(Int.self) }
        #expect(rows[0].relation.columns.map(\.name) == ["id", "name", "qty", "price", "added"])
        #expect(rows[0].relation.keyColumnNames == ["id"])
        guard case let .commit(commit) = events.last else {
            Issue.record("the transaction must end with a commit event")
            return
        }
        #expect(commit.eventCount == 2)
        #expect(rows.map(\.seq) == [0, 1])
    }

    @Test func aNewStreamResumesAfterTheLastAcknowledgedTransaction() async throws {
        let fixture = try Self.fixture()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgcdc-cs-\(fixture.database)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = FileCheckpointStore(path: "\(directory)/cp.json")

        let first = ChangeStream(configuration: fixture.configuration(), checkpointStore: store)
        var iterator = first.makeAsyncIterator()
        try await Self.waitUntilConnected(first)
        for id in 1...3 {
            try fixture.server.psql("INSERT INTO items (id, name) VALUES (\(id), 'n\(id)')", database: fixture.database)
        }
        let events = try await Self.collect(&iterator, commits: 3)
        let commits = events.compactMap { event -> CommitEvent? in
            if case let .commit(commit) = event { return commit }
            return nil
        }
        try #require(commits.count == 3)
        // Acknowledging beyond what was handed out is refused.
        await #expect(throws: ChangeStreamError.self) { try await first.acknowledge(through: LSN(commits[2].endLSN.value + 1_000_000)) }
        try await first.acknowledge(commits[1])
        #expect(try store.load()?.lsn == commits[1].endLSN)
        await first.close()

        // The second stream starts after transaction 2: the first event it hands out is id 3.
        let second = ChangeStream(configuration: fixture.configuration(), checkpointStore: store)
        var again = second.makeAsyncIterator()
        let resumed = try await Self.collect(&again, commits: 1)
        await second.close()
        let ids = resumed.compactMap { event -> Int? in
            try? event.rowChange?.new?["id"].as(Int.self)
        }
        #expect(ids == [3])
    }

    /// Acknowledgements out of order never take the checkpoint back; after `close()`, iterating and
    /// acknowledging are errors instead of quietly doing nothing.
    @Test func theCheckpointOnlyMovesForwardAndAClosedStreamSaysSo() async throws {
        let fixture = try Self.fixture()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgcdc-mono-\(fixture.database)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = FileCheckpointStore(path: "\(directory)/cp.json")
        let stream = ChangeStream(configuration: fixture.configuration(), checkpointStore: store)
        var iterator = stream.makeAsyncIterator()
        try await Self.waitUntilConnected(stream)
        for id in 1...2 {
            try fixture.server.psql("INSERT INTO items (id, name) VALUES (\(id), 'n\(id)')", database: fixture.database)
        }
        let commits = try await Self.collect(&iterator, commits: 2).compactMap { event -> CommitEvent? in
            if case let .commit(commit) = event { return commit }
            return nil
        }
        try #require(commits.count == 2)
        try await stream.acknowledge(commits[1])
        try await stream.acknowledge(commits[0])
        #expect(try store.load()?.lsn == commits[1].endLSN)
        await stream.close()
        await #expect(throws: ChangeStreamError.closed) { try await stream.acknowledge(commits[1]) }
        await #expect(throws: ChangeStreamError.closed) { _ = try await iterator.next() }
    }

    /// A consumer that never acknowledges the snapshot's completion gets no change — and a warning
    /// in its log that says what to do, instead of a silent wait; acknowledging lets changes flow.
    @Test func anUnacknowledgedSnapshotIsWarnedAboutAndItsAcknowledgementLetsChangesFlow() async throws {
        let fixture = try Self.fixture()
        try fixture.server.psql("INSERT INTO items (id, name) VALUES (1, 'before')", database: fixture.database)
        var configuration = fixture.configuration()
        configuration.snapshot = nil  // a new slot takes the initial snapshot
        let messages = RecordingLogHandler.Messages()
        let stream = ChangeStream(configuration: configuration, logger: RecordingLogHandler.logger(into: messages))
        var iterator = stream.makeAsyncIterator()
        var summary: SnapshotSummary?
        while summary == nil, let event = try await iterator.next() {
            if case let .snapshotCompleted(completed) = event { summary = completed }
        }
        let completed = try #require(summary)
        #expect(completed.rows == 1)
        _ = try await awaitUntil {
            messages.messages(at: .warning).contains { $0.contains("waits for the initial snapshot to be acknowledged") }
        }
        #expect(messages.messages(at: .warning).contains { $0.contains("acknowledge(through:)") })
        try await stream.acknowledge(through: completed.consistentPoint)
        try fixture.server.psql("INSERT INTO items (id, name) VALUES (2, 'after')", database: fixture.database)
        let events = try await Self.collect(&iterator, commits: 1)
        await stream.close()
        #expect(events.compactMap { try? $0.rowChange?.new?["id"].as(Int.self) } == [2])
    }

    @Test func theReaderStopsReadingAheadWhileTheConsumerWaits() async throws {
        let fixture = try Self.fixture()
        let stream = ChangeStream(configuration: fixture.configuration(), readAhead: 8)
        var iterator = stream.makeAsyncIterator()
        try await Self.waitUntilConnected(stream)
        try fixture.server.psql("INSERT INTO items (id) SELECT g FROM generate_series(1, 500) g", database: fixture.database)
        _ = try await iterator.next()
        try await Task.sleep(for: .milliseconds(500))
        let buffered = stream.bufferedEventCount
        #expect(buffered <= 8, "the reader buffered \(buffered) events past a read-ahead of 8")
        #expect(buffered >= 1, "the reader should have filled its buffer")
        let rest = try await Self.collect(&iterator, commits: 1)
        #expect(rest.count == 500)  // 499 inserts and the commit
        stream.stop()
    }

    @Test func cancellingTheIteratingTaskEndsTheStreamAndReleasesTheSlot() async throws {
        let fixture = try Self.fixture()
        let stream = ChangeStream(configuration: fixture.configuration())
        let task = Task {
            var count = 0
            for try await _ in stream { count += 1 }
            return count
        }
        try await Self.waitUntilConnected(stream)
        task.cancel()
        let count = try await task.value
        #expect(count == 0)
        let released = try await awaitUntil(turns: 300, every: .milliseconds(50)) {
            try fixture.server.psql(
                "SELECT active FROM pg_replication_slots WHERE slot_name = '\(fixture.slot)'", database: fixture.database) == "f"
        }
        #expect(released, "the slot stayed active after cancellation")
    }

    static func waitUntilConnected(_ stream: ChangeStream) async throws {
        let connected = try await awaitUntil { stream.system != nil }
        try #require(connected, "the stream did not connect")
    }

    /// The server restarts (`pg_ctl -m immediate`) under a running stream: it reconnects by itself,
    /// every row arrives, and no transaction the consumer already received arrives twice.
    @Test func aLostConnectionIsReconnectedAndNoReceivedTransactionRepeats() async throws {
        let server = try TestServer.own(setup: "CREATE TABLE items (id int PRIMARY KEY); CREATE PUBLICATION pub FOR TABLE items;")
        defer { server.stop() }
        var configuration = StreamConfiguration(dsn: server.dsn(database: "app"), slot: "s", publication: "pub")
        configuration.createSlot = true
        configuration.snapshot = .never
        configuration.statusInterval = 0.2
        let stream = ChangeStream(configuration: configuration, reconnect: ReconnectPolicy(maxDelay: 0.5))
        var iterator = stream.makeAsyncIterator()
        try await Self.waitUntilConnected(stream)
        for id in 1...20 { try server.psql("INSERT INTO items VALUES (\(id))", database: "app") }
        var events = try await Self.collect(&iterator, commits: 20)
        try await stream.acknowledge(
            through: try #require(
                events.compactMap { event -> LSN? in
                    if case let .commit(commit) = event { return commit.endLSN } else { return nil }
                }.dropLast(5).last))
        try server.restartImmediately(downFor: 1)
        for id in 21...40 { try server.psql("INSERT INTO items VALUES (\(id))", database: "app") }
        events += try await Self.collect(&iterator, commits: 20)
        stream.stop()
        let ids = events.compactMap { try? $0.rowChange?.new?["id"].as(Int.self) }
        #expect(ids == Array(1...40))
        let commits = events.compactMap { event -> LSN? in
            if case let .commit(commit) = event { return commit.endLSN } else { return nil }
        }
        #expect(Set(commits).count == commits.count)
    }
}
