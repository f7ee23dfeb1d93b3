import Foundation
import GRDB
import PostgresCDCTesting
import TestSupport
import Testing
@testable import PostgresCDC

/// `examples/SearchIndexSync`, run as its users run it: a SQLite index of a PostgreSQL table, kept
/// in sync across SIGKILLs while a writer changes the table, and rebuilt when its file is deleted.
@Suite struct SearchIndexSyncTests {
    static var executable: String { ExamplesTests.binaries.appendingPathComponent("SearchIndexSync").path }

    /// 20 kB of random hex: stored out of line (TOAST), so that an update that leaves it alone
    /// does not send it.
    static let bigText = "(SELECT string_agg(md5(random()::text || i), '') FROM generate_series(1, 640) i)"

    /// Every row of `products`, as `id|name|description|price` lines, from PostgreSQL.
    static func sourceRows(_ server: LocalPostgresServer, _ database: String) throws -> String {
        try server.psql(
            "SELECT string_agg(format('%s|%s|%s|%s', id, name, coalesce(description, '-'), price), E'\\n' ORDER BY id) FROM products",
            database: database)
    }

    /// A connection to the index that waits for the example's writes instead of failing.
    static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = GRDB.Configuration()
        configuration.busyMode = .timeout(10)
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// The same lines from the SQLite index (`nil` while it cannot be read).
    static func indexRows(_ path: String) -> String? {
        guard FileManager.default.fileExists(atPath: path), let queue = try? open(path) else { return nil }
        return try? queue.read { db in
            let rows = try GRDB.Row.fetchAll(db, sql: "SELECT id, name, description, price FROM products ORDER BY id")
            return rows.map { row -> String in
                let id: Int64 = row["id"]
                let name: String = row["name"]
                let description: String? = row["description"]
                let price: String? = row["price"]
                return "\(id)|\(name)|\(description ?? "-")|\(price ?? "")"
            }.joined(separator: "\n")
        }
    }

    @Test func theIndexEqualsTheTableAfterThreeKillsUnderAWriterAndIsRebuiltWhenDeleted() throws {
        let (server, database) = try TestServer.freshDatabase()
        try server.psql(
            """
            CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL, description text, price numeric(10,2));
            ALTER TABLE products ALTER COLUMN description SET STORAGE EXTERNAL;
            INSERT INTO products SELECT g, 'product ' || g, CASE WHEN g % 4 = 0 THEN \(Self.bigText) ELSE 'short ' || g END,
              (g * 1.10)::numeric(10,2) FROM generate_series(1, 200) g;
            CREATE PUBLICATION pub FOR TABLE products;
            """, database: database)
        let dsn = server.dsn(database: database)
        let slot = "index_\(database)"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgcdc-index-\(database)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let index = "\(directory)/index.sqlite"
        let writer = try PostgresConnection(dsn: dsn, replication: false)
        defer { writer.close() }
        var nextID = 1_000

        /// One random change: a price-only update (the TOASTed description is not sent), a key
        /// change (the same), a new description, a delete, or an insert.
        func write() throws {
            let id = Int.random(in: 1...nextID)
            switch Int.random(in: 0..<6) {
            case 0, 1: try writer.query("UPDATE products SET price = price + 1 WHERE id = \(id)")
            case 2: try writer.query("UPDATE products SET id = \(nextID), name = name || '*' WHERE id = \(id)")
            case 3: try writer.query("UPDATE products SET description = \(Self.bigText) WHERE id = \(id)")
            case 4: try writer.query("DELETE FROM products WHERE id = \(id)")
            default: try writer.query("INSERT INTO products VALUES (\(nextID), 'new', \(Self.bigText), 9.90)")
            }
            nextID += 1
        }

        // Three runs killed with SIGKILL while the writer changes the table, each once the index
        // has stored something since the last; then a fourth that is left to catch up.
        var lastCheckpoint = ""
        var job: BackgroundProcess?
        for kill in 0..<4 {
            let run = try BackgroundProcess(
                [dsn, index, slot, "pub"], stdoutPath: "/dev/null", stderrPath: "\(directory)/err\(kill)", executable: Self.executable)
            job = run
            for _ in 0..<150 { try write() }
            let progressed = eventually(timeout: 60) {
                let checkpoint =
                    (try? Self.open(index).read { db in
                        try String.fetchOne(db, sql: "SELECT checkpoint FROM pgcdc_checkpoint")
                    }) ?? nil
                guard let checkpoint, checkpoint != lastCheckpoint else { return false }
                lastCheckpoint = checkpoint
                return true
            }
            #expect(progressed, "run \(kill) stored nothing: \(run.stderr)")
            if kill == 3 { break }
            for _ in 0..<50 { try write() }
            run.signal(SIGKILL)
            _ = run.wait(timeout: 30)
            // The killed process held the slot: the next run waits for the server to let it go.
            _ = eventually(timeout: 30) {
                (try? server.psql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\(slot)' AND active", database: database))
                    == "0"
            }
        }
        let expected = try Self.sourceRows(server, database)
        #expect(eventually(timeout: 120) { Self.indexRows(index) == expected }, "the index differs from the table")
        #expect(Self.indexRows(index) == expected)

        // The full-text index agrees with its table, and finds the words the rows hold.
        let queue = try Self.open(index)
        try queue.write { db in try db.execute(sql: "INSERT INTO products_fts (products_fts) VALUES ('integrity-check')") }
        let shortRows = try queue.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM products_fts WHERE products_fts MATCH 'short'")
        }
        #expect(shortRows == Int(try server.psql("SELECT count(*) FROM products WHERE description LIKE 'short %'", database: database)))

        // SIGTERM ends the last run cleanly.
        let last = try #require(job)
        last.signal(SIGTERM)
        #expect(last.wait(timeout: 30) == 0, "\(last.stderr)")

        // Deleting the index rebuilds it from a fresh copy of the table (onEmptyStore = .resnapshot).
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: index + suffix) }
        for _ in 0..<20 { try write() }
        let end = try server.psql("SELECT pg_current_wal_insert_lsn()", database: database)
        let rebuilt = try ExamplesTests.run("SearchIndexSync", [dsn, index, slot, "pub", end])
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        #expect(Self.indexRows(index) == (try Self.sourceRows(server, database)))
    }
}
