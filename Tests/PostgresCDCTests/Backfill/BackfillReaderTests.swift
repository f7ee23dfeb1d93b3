import Foundation
import Logging
import TestSupport
import Testing
@testable import PostgresCDC

/// ``BackfillReader`` on its own, against a server: what it reads again when the stream refuses
/// chunks it had read ahead.
@Suite struct BackfillReaderTests {
    @Test func aRestartAfterTheWholeRangeWasReadAheadReadsTheRangeAgain() async throws {
        let fixture = try StreamFixture.make(
            setup: """
                CREATE TABLE items (id int PRIMARY KEY, name text);
                INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 150) g;
                CREATE PUBLICATION pub FOR TABLE items;
                """)
        let dsn = fixture.dsn
        let reader = BackfillReader(
            slot: fixture.slot, publication: "pub", filter: EventFilter(), rowsPerSecond: nil, logger: Logger(label: "test"),
            connect: { () throws(ReplicationError) in try PostgresConnection(dsn: dsn, replication: false) })
        defer { reader.stop() }
        let request = BackfillRequest(table: "items", chunkSize: 100, id: "b")
        reader.start(BackfillProgress(request: request, estimatedRows: 150), catalog: TypeCatalog())
        // Both chunks (100 rows, then the last 50) read ahead: the range is read to its end.
        let readAhead = try await awaitUntil(turns: 300, every: .milliseconds(50)) { reader.heldChunks.count == 2 }
        try #require(readAhead)
        let before = reader.heldChunks.compactMap { reader.take($0) }
        #expect(before.map(\.rows.count).sorted() == [50, 100])

        // The stream refused them (say, read before a reconnect): everything after no key, again.
        reader.restart("b", after: nil, pending: [["7"]])
        let readAgain = try await awaitUntil(turns: 300, every: .milliseconds(50)) { reader.heldChunks.count == 2 }
        try #require(readAgain)
        let chunks = reader.heldChunks.compactMap { reader.take($0) }.sorted { $0.rows.count > $1.rows.count }
        #expect(chunks.map(\.plan.startKey) == [nil, ["100"]])
        #expect(chunks.map(\.plan.retryKeys) == [[["7"]], []])
        #expect(chunks.map(\.rows.count) == [101, 50], "the first 100 rows and key 7 read again, then the last 50")
        #expect(chunks.map(\.isLast) == [false, true])
    }
}
