import Foundation
import PGOutput
import TestSupport
import Testing
@testable import PostgresCDC

/// The resolved view of a row change against a real server: an out-of-line value the update did
/// not touch is taken from the old row when it has it, and reported as missing when it does not.
@Suite struct ResolvedRowTests {
    @Test func anUnchangedOutOfLineValueIsResolvedFromTheOldRowOrReportedMissing() async throws {
        let fixture = try StreamFixture.make(
            setup: """
                CREATE TABLE docs (id int PRIMARY KEY, meta text, n int);
                CREATE PUBLICATION pub FOR TABLE docs;
                """)
        let stream = ChangeStream(configuration: fixture.configuration())
        var iterator = stream.makeAsyncIterator()
        try await ChangeStreamTests.waitUntilConnected(stream)
        // Random hex: incompressible, so 6,400 characters are stored out of line.
        let meta = try fixture.server.psql(
            "SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 200)", database: fixture.database)
        try fixture.server.psql(
            """
            INSERT INTO docs VALUES (1, '\(meta)', 0);
            UPDATE docs SET id = 2 WHERE id = 1;
            ALTER TABLE docs REPLICA IDENTITY FULL;
            UPDATE docs SET n = 1 WHERE id = 2;
            """, database: fixture.database)
        var updates: [RowChange] = []
        while updates.count < 2, let event = try await iterator.next() {
            if case let .update(change) = event { updates.append(change) }
        }
        await stream.close()
        try #require(updates.count == 2)

        // The key changed under the default replica identity: the old key does not hold meta.
        let moved = try #require(updates[0].resolved)
        #expect(updates[0].new?.value(at: 1) == .unchangedToast)
        #expect(moved.unchangedColumns == [1])
        #expect(!moved.isComplete)
        #expect(moved.value(at: 1) == .unchangedToast)
        #expect(!moved.isPresent(column: "meta"))
        #expect(moved.text(at: 0) == "2")

        // REPLICA IDENTITY FULL: the old row holds meta, so the resolved row has it.
        let full = try #require(updates[1].resolved)
        #expect(updates[1].new?.value(at: 1) == .unchangedToast)
        #expect(full.isComplete)
        #expect(full.text(at: 1) == meta)
        #expect(full[column: "n"] == .int(1))
    }
}
