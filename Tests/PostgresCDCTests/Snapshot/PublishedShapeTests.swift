import Foundation
import TestSupport
import Testing
@testable import PostgresCDC

/// Snapshot and backfill rows have exactly the columns and rows the publication sends as changes:
/// its column list, its row filter and (PostgreSQL 18, `publish_generated_columns = stored`) its
/// stored generated columns.
@Suite struct PublishedShapeTests {
    /// What each way of reading a table gave: columns per operation, and every row's `a` and `s`.
    struct Seen {
        var columns: [String: Set<[String]>] = [:]
        var rows: [(operation: String, a: Int?, s: Int?)] = []
    }

    /// Snapshots the tables, inserts a row into each, backfills both, and records what every read
    /// and insert carried.
    static func stream(postgres18: Bool, setup: String) async throws -> [String: Seen] {
        let fixture = try StreamFixture.make(setup: setup, postgres18: postgres18)
        var configuration = fixture.configuration()
        configuration.snapshot = .initial
        let stream = ChangeStream(configuration: configuration)
        var iterator = stream.makeAsyncIterator()
        var seen: [String: Seen] = [:]
        var completed = 0
        var requested = false
        while completed < 2, let event = try await iterator.next() {
            switch event {
            case let .snapshotCompleted(summary):
                try await stream.acknowledge(through: summary.consistentPoint)
                try fixture.server.psql(
                    "INSERT INTO g (id, a) VALUES (10, 5); INSERT INTO c VALUES (10, 5, 'z')", database: fixture.database)
            case let .read(change), let .insert(change):
                // The slot is kept once the snapshot is stored; the first change comes after that.
                if change.operation == .insert && !requested {
                    _ = try await stream.requestBackfill(BackfillRequest(table: "g"))
                    _ = try await stream.requestBackfill(BackfillRequest(table: "c"))
                    requested = true
                }
                let row = try #require(change.new)
                let kind = "\(change.operation)\(change.backfill == nil ? "" : " (backfill)")"
                seen[change.relation.table, default: Seen()].columns[kind, default: []].insert(change.relation.columns.map(\.name))
                seen[change.relation.table, default: Seen()].rows.append(
                    (kind, try row[column: "a"]?.as(Int?.self) ?? nil, try row[column: "s"]?.as(Int?.self) ?? nil))
            case let .backfill(backfill) where backfill.kind == .completed:
                completed += 1
            case let .commit(commit):
                try await stream.acknowledge(commit)
            default:
                break
            }
        }
        stream.stop()
        #expect(requested && completed == 2)
        return seen
    }

    @Test func postgres18SnapshotsAndBackfillsCarryStoredGeneratedColumnsTheStreamCarries() async throws {
        let seen = try await Self.stream(
            postgres18: true,
            setup: """
                CREATE TABLE g (id int PRIMARY KEY, a int, s int GENERATED ALWAYS AS (a * 2) STORED,
                                v int GENERATED ALWAYS AS (a * 3) VIRTUAL);
                CREATE TABLE c (id int PRIMARY KEY, a int, b text, s int GENERATED ALWAYS AS (a * 2) STORED);
                INSERT INTO g (id, a) VALUES (0, 1), (1, -1);
                INSERT INTO c VALUES (0, 1, 'x'), (1, -1, 'y');
                CREATE PUBLICATION pub FOR TABLE g, c (id, a, s) WHERE (a > 0) WITH (publish_generated_columns = stored);
                """)
        // Virtual generated columns are never published; stored ones are, in the table's order.
        #expect(seen["g"]?.columns == ["read": [["id", "a", "s"]], "insert": [["id", "a", "s"]], "read (backfill)": [["id", "a", "s"]]])
        #expect(seen["c"]?.columns == ["read": [["id", "a", "s"]], "insert": [["id", "a", "s"]], "read (backfill)": [["id", "a", "s"]]])
        for (table, rows) in seen.mapValues(\.rows) {
            for row in rows { #expect(row.s == row.a.map { $0 * 2 }, "\(table) \(row)") }
        }
        // The row filter is on c only: its a = -1 row is in no read.
        #expect(seen["c"]?.rows.allSatisfy { ($0.a ?? 0) > 0 } == true)
        #expect(seen["g"]?.rows.filter { $0.operation == "read" }.count == 2)
        #expect(seen["c"]?.rows.map(\.operation).sorted() == ["insert", "read", "read (backfill)", "read (backfill)"])
    }

    @Test func postgres15SnapshotsAndBackfillsFollowTheColumnListAndRowFilter() async throws {
        let seen = try await Self.stream(
            postgres18: false,
            setup: """
                CREATE TABLE g (id int PRIMARY KEY, a int, s int GENERATED ALWAYS AS (a * 2) STORED);
                CREATE TABLE c (id int PRIMARY KEY, a int, b text, s int);
                INSERT INTO g (id, a) VALUES (0, 1), (1, -1);
                INSERT INTO c VALUES (0, 1, 'x'), (1, -1, 'y');
                CREATE PUBLICATION pub FOR TABLE g, c (id, a) WHERE (a > 0);
                """)
        // PostgreSQL before 18 publishes no generated column.
        #expect(seen["g"]?.columns == ["read": [["id", "a"]], "insert": [["id", "a"]], "read (backfill)": [["id", "a"]]])
        #expect(seen["c"]?.columns == ["read": [["id", "a"]], "insert": [["id", "a"]], "read (backfill)": [["id", "a"]]])
        #expect(seen["c"]?.rows.allSatisfy { ($0.a ?? 0) > 0 } == true)
        #expect(seen["c"]?.rows.map(\.operation).sorted() == ["insert", "read", "read (backfill)", "read (backfill)"])
    }
}
