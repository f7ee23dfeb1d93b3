import Foundation
import PGOutput
import PostgresCDC
import PostgresNIO
import TestSupport
import Testing
@testable import PostgresCDCPostgresNIO

/// A ``ChangeStream`` job that writes with postgres-nio and saves the checkpoint in its own
/// transaction resumes exactly after the last transaction it committed.
@Suite struct ChangeStreamResumeTests {
    /// Copies the rows of each transaction into `copied` and saves the checkpoint in the same
    /// transaction, then acknowledges; returns the ids copied, after `commits` commits.
    static func copy(
        _ stream: ChangeStream, commits: Int, client: PostgresClient, store: PostgresNIOCheckpointStore
    ) async throws -> [Int] {
        var iterator = stream.makeAsyncIterator()
        var ids: [Int] = []
        var pending: [Int] = []
        var seen = 0
        while seen < commits, let event = try await iterator.next() {
            switch event {
            case let .insert(change):
                pending.append(try change.new?["id"].as(Int.self) ?? -1)
            case let .commit(commit):
                let rows = pending
                let checkpoint = try stream.checkpoint(through: commit.endLSN)
                try await client.withTransaction(logger: NIOTestDatabase.logger) { connection in
                    for id in rows {
                        try await connection.query("INSERT INTO copied VALUES (\(id))", logger: NIOTestDatabase.logger)
                    }
                    try await store.save(checkpoint, on: connection)
                }
                try await stream.acknowledge(commit)
                ids += rows
                pending = []
                seen += 1
            default:
                break
            }
        }
        return ids
    }

    @Test func aStreamResumesRightAfterTheCheckpointSavedInTheJobsTransaction() async throws {
        let database = try NIOTestDatabase.make(
            setup: """
                CREATE TABLE items (id int PRIMARY KEY); CREATE TABLE copied (id int PRIMARY KEY);
                CREATE PUBLICATION pub FOR TABLE items;
                """)
        var configuration = StreamConfiguration(dsn: database.dsn, slot: "slot_\(database.database)", publication: "pub")
        configuration.createSlot = true
        configuration.snapshot = .never
        configuration.statusInterval = 0.2
        try await database.withClient { client in
            let store = try PostgresNIOCheckpointStore(client: client, slot: configuration.slot)
            try await store.prepare()
            let first = ChangeStream(configuration: configuration, checkpointStore: store)
            // The slot is created when the stream connects; wait for that before writing.
            let task = Task { try await Self.copy(first, commits: 2, client: client, store: store) }
            _ = try await awaitUntil { first.system != nil }
            for id in 1...3 { try database.psql("INSERT INTO items VALUES (\(id))") }
            #expect(try await task.value == [1, 2])
            await first.close()
            #expect(try database.psql("SELECT string_agg(id::text, ',' ORDER BY id) FROM copied") == "1,2")

            try database.psql("INSERT INTO items VALUES (4)")
            let second = ChangeStream(configuration: configuration, checkpointStore: store)
            let resumed = try await Self.copy(second, commits: 2, client: client, store: store)
            await second.close()
            #expect(resumed == [3, 4])
            #expect(try database.psql("SELECT string_agg(id::text, ',' ORDER BY id) FROM copied") == "1,2,3,4")
        }
    }
}
