import Foundation
import Logging
import PostgresCDCTesting
import TestSupport
import Testing
@testable import PostgresCDC

/// `pgcdc stream` run as a process against a real server.
@Suite struct StreamCommandTests {
    /// A database with a table, a publication, a slot made before the workload, and the workload's end LSN.
    struct Prepared {
        var server: LocalPostgresServer
        var database: String
        var dsn: String
        var endLSN: String
        /// Slot names are cluster-wide, so each test's slot is named after its database.
        var slot: String { "slot_\(database)" }
    }

    static func prepare(workload: [String]) throws -> Prepared {
        let (server, database) = try TestServer.freshDatabase()
        try server.psql(
            """
            CREATE TABLE orders (id bigint PRIMARY KEY, item text, qty int, placed timestamptz DEFAULT '2026-11-25 10:00:00+00');
            CREATE PUBLICATION pub FOR TABLE orders;
            SELECT pg_create_logical_replication_slot('slot_\(database)', 'pgoutput');
            """, database: database)
        for script in workload { try server.psql(script, database: database) }
        let end = try server.psql("SELECT pg_current_wal_insert_lsn()", database: database)
        return Prepared(server: server, database: database, dsn: server.dsn(database: database), endLSN: end)
    }

    static func validate(_ output: String) throws -> CLIResult {
        try CLIProcess.validate(output)
    }

    @Test func streamWritesSchemaValidLinesAndStopsAtEndLSN() throws {
        let prepared = try Self.prepare(workload: [
            "INSERT INTO orders (id, item, qty) VALUES (1, 'tea', 2), (2, 'cake', 1)",
            "UPDATE orders SET qty = 3 WHERE id = 1",
            "DELETE FROM orders WHERE id = 2",
            "SELECT pg_logical_emit_message(true, 'audit', 'done')",
            "TRUNCATE orders",
        ])
        let result = try CLIProcess.run([
            "stream", "--dsn", prepared.dsn, "--slot", prepared.slot, "--publication", "pub", "--end-lsn", prepared.endLSN,
            "--transactions",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let ops = result.lines.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["op"] as? String
        }
        #expect(
            ops == [
                "begin", "insert", "insert", "commit", "begin", "update", "commit", "begin", "delete", "commit",
                "begin", "message", "commit", "begin", "truncate", "commit",
            ])
        #expect(
            result.lines.first { $0.contains("\"op\":\"insert\"") }?.contains(
                #""new":{"id":1,"item":"tea","qty":2,"placed":"2026-11-25T10:00:00.000000Z"}"#) == true)
        let validation = try Self.validate(result.stdout)
        #expect(validation.status == 0, "schema validation: \(validation.stdout) \(validation.stderr)")

        // The slot was confirmed up to the last commit: a second run has nothing left to write.
        let again = try CLIProcess.run([
            "stream", "--dsn", prepared.dsn, "--slot", prepared.slot, "--publication", "pub", "--end-lsn", prepared.endLSN,
        ])
        #expect(again.status == 0, "stderr: \(again.stderr)")
        #expect(again.stdout.isEmpty, "second run wrote: \(again.stdout)")
    }

    @Test func createsTemporarySlotAndPublicationOnRequest() throws {
        let (server, database) = try TestServer.freshDatabase()
        try server.psql("CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (id int PRIMARY KEY);", database: database)
        // Nothing to stream yet: end at the current position; the run must still create both and exit 0.
        let end = try server.psql("SELECT pg_current_wal_insert_lsn()", database: database)
        let result = try CLIProcess.run([
            "stream", "--dsn", server.dsn(database: database), "--slot", "tmp_\(database)", "--publication", "only_a",
            "--temporary-slot", "--create-publication", "--tables", "public.a", "--end-lsn", end,
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(
            try server.psql("SELECT string_agg(tablename, ',') FROM pg_publication_tables WHERE pubname = 'only_a'", database: database)
                == "a")
        // The temporary slot went away with the connection.
        #expect(try server.psql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'tmp_\(database)'", database: database) == "0")
    }

    @Test func slotListShowsSlotsAndDropRemovesThem() throws {
        let prepared = try Self.prepare(workload: ["INSERT INTO orders (id, item, qty) VALUES (1, 'tea', 2)"])
        let list = try CLIProcess.run(["slot", "list", "--dsn", prepared.dsn])
        #expect(list.status == 0, "stderr: \(list.stderr)")
        #expect(list.lines.first?.hasPrefix("slot_name") == true)
        let row = list.lines.first { $0.hasPrefix(prepared.slot + " ") }
        #expect(row?.contains("pgoutput") == true)
        #expect(row?.contains(" no ") == true)
        let drop = try CLIProcess.run(["slot", "drop", prepared.slot, "--dsn", prepared.dsn])
        #expect(drop.status == 0, "stderr: \(drop.stderr)")
        #expect(
            try prepared.server.psql(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\(prepared.slot)'", database: prepared.database) == "0")
        let again = try CLIProcess.run(["slot", "drop", prepared.slot, "--dsn", prepared.dsn])
        #expect(again.status == 1)
        #expect(again.stderr.contains("replication slot \"\(prepared.slot)\" does not exist"))
    }

    @Test func demoStreamsTheSampleWorkload() throws {
        let result = try CLIProcess.run(["demo"], timeout: 180)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.lines.count >= 8)
        let validation = try Self.validate(result.stdout)
        #expect(validation.status == 0, "schema validation: \(validation.stdout) \(validation.stderr)")
    }
}

/// `--sink file:PATH` as a user runs it: schema-valid lines, a commit line closing every transaction,
/// and a second run that adds nothing already in the file.
@Suite struct FileSinkCommandTests {
    @Test func theFileSinkWritesSchemaValidTransactionsOnceAcrossRuns() throws {
        let prepared = try StreamCommandTests.prepare(workload: [
            "INSERT INTO orders (id, item, qty) VALUES (1, 'tea', 2), (2, 'cake', 1)",
            "SELECT pg_logical_emit_message(false, 'note', 'between')",
            "UPDATE orders SET qty = 3 WHERE id = 1",
        ])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgcdc-file-\(prepared.database)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/changes.jsonl"
        let arguments = [
            "stream", "--dsn", prepared.dsn, "--slot", prepared.slot, "--publication", "pub", "--sink", "file:\(path)", "--end-lsn",
            prepared.endLSN, "--on-empty-store", "continue",
        ]
        let first = try CLIProcess.run(arguments)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(first.stdout.isEmpty)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let ops = text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["op"] as? String
        }
        #expect(ops == ["insert", "insert", "commit", "message", "update", "commit"])
        let validation = try StreamCommandTests.validate(text)
        #expect(validation.status == 0, "schema validation: \(validation.stdout) \(validation.stderr)")

        // A torn line, as a crash in the middle of a write leaves it: the next run cuts it off and
        // writes nothing that the file already holds.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"op":"insert","schema":"pub"#.utf8))
        handle.closeFile()
        let again = try CLIProcess.run(arguments)
        #expect(again.status == 0, "stderr: \(again.stderr)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }
}

/// `--format debezium`: Debezium's envelope, valid against its schema.
@Suite struct DebeziumFormatTests {
    @Test func debeziumLinesCarryBeforeAfterSourceAndOpLetters() throws {
        let prepared = try StreamCommandTests.prepare(workload: [
            "INSERT INTO orders (id, item, qty) VALUES (1, 'tea', 2), (2, 'cake', 1)",
            "UPDATE orders SET qty = 5 WHERE id = 1",
            "DELETE FROM orders WHERE id = 2",
            "SELECT pg_logical_emit_message(false, 'audit', 'hello')",
            "TRUNCATE orders",
        ])
        let result = try CLIProcess.run([
            "stream", "--dsn", prepared.dsn, "--slot", prepared.slot, "--publication", "pub",
            "--end-lsn", prepared.endLSN, "--format", "debezium", "--transactions",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let objects = result.lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == result.lines.count)
        let ops = objects.compactMap { $0["op"] as? String ?? ($0["status"] as? String) }
        #expect(ops == ["BEGIN", "c", "c", "END", "BEGIN", "u", "END", "BEGIN", "d", "END", "m", "BEGIN", "t", "END"], "\(ops)")
        let update = try #require(objects.first { $0["op"] as? String == "u" })
        #expect((update["after"] as? [String: Any])?["qty"] as? Int == 5)
        #expect(update["before"] is NSNull)
        let delete = try #require(objects.first { $0["op"] as? String == "d" })
        let before = try #require(delete["before"] as? [String: Any])
        #expect(before["id"] as? Int == 2)
        #expect(before["item"] is NSNull, "a column the old key does not carry is null, as in Debezium")
        let source = try #require(delete["source"] as? [String: Any])
        #expect(source["db"] as? String == prepared.database)
        #expect(source["table"] as? String == "orders")
        #expect(source["connector"] as? String == "postgresql")
        #expect((source["lsn"] as? Int ?? 0) > 0)
        let message = try #require(objects.first { $0["op"] as? String == "m" })
        #expect((message["message"] as? [String: Any])?["content"] as? String == Data("hello".utf8).base64EncodedString())

        let validation = try CLIProcess.validate(result.stdout, against: "debezium-event")
        #expect(validation.status == 0, "schema validation: \(validation.stdout) \(validation.stderr)")
    }
}

/// `--include-tables`, `--exclude-tables`, `--exclude-columns`, `--ops`.
@Suite struct FilterOptionTests {
    @Test func filtersLeaveOutTablesColumnsAndOperations() throws {
        let (server, database) = try TestServer.freshDatabase()
        try server.psql(
            """
            CREATE TABLE orders (id int PRIMARY KEY, item text, secret text);
            CREATE TABLE audit_log (id int PRIMARY KEY);
            CREATE TABLE items (id int PRIMARY KEY);
            CREATE PUBLICATION pub FOR ALL TABLES;
            SELECT pg_create_logical_replication_slot('slot_\(database)', 'pgoutput');
            INSERT INTO orders VALUES (1, 'tea', 's1'), (2, 'cake', 's2');
            INSERT INTO audit_log VALUES (1);
            INSERT INTO items VALUES (1);
            UPDATE orders SET item = 'green tea' WHERE id = 1;
            DELETE FROM orders WHERE id = 2;
            """, database: database)
        let end = try server.psql("SELECT pg_current_wal_insert_lsn()", database: database)
        let result = try CLIProcess.run([
            "stream", "--dsn", server.dsn(database: database), "--slot", "slot_\(database)", "--publication", "pub", "--end-lsn", end,
            "--include-tables", "public.*", "--exclude-tables", "audit_*", "--exclude-columns", "public.orders.secret", "--ops",
            "insert,update",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let objects = result.lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let summary = objects.map { "\($0["op"] ?? "") \($0["table"] ?? "")" }
        #expect(summary == ["insert orders", "insert orders", "insert items", "update orders"], "\(summary)")
        #expect(!result.stdout.contains("secret"), "an excluded column was written: \(result.stdout)")
        // seq stays dense within a transaction even when events are left out.
        #expect(objects.first?["seq"] as? Int == 0)

        let bad = try CLIProcess.run([
            "stream", "--dsn", server.dsn(database: database), "--slot", "x", "--publication", "pub", "--ops", "insert,upsert",
        ])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("unknown operation \"upsert\""), "\(bad.stderr)")
    }
}

/// A table whose description changes mid-stream gets a `schema` event before the rows that use it.
@Suite struct SchemaChangeTests {
    @Test func addingAColumnOrChangingTheReplicaIdentityIsReportedBeforeTheNextRow() throws {
        let prepared = try StreamCommandTests.prepare(workload: [
            "INSERT INTO orders (id, item, qty) VALUES (1, 'tea', 2)",
            "ALTER TABLE orders ADD COLUMN note text",
            "INSERT INTO orders (id, item, qty, note) VALUES (2, 'cake', 1, 'fresh')",
            "ALTER TABLE orders REPLICA IDENTITY FULL",
            "UPDATE orders SET qty = 3 WHERE id = 2",
            "UPDATE orders SET qty = 4 WHERE id = 2",
        ])
        let result = try CLIProcess.run([
            "stream", "--dsn", prepared.dsn, "--slot", prepared.slot, "--publication", "pub", "--end-lsn", prepared.endLSN,
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let objects = result.lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(
            objects.map { $0["op"] as? String ?? "" } == ["insert", "schema", "insert", "schema", "update", "update"], "\(result.stdout)")
        let added = try #require(objects[1]["new"] as? [String: Any])
        let names = (added["columns"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == ["id", "item", "qty", "placed", "note"])
        #expect(((objects[1]["old"] as? [String: Any])?["columns"] as? [Any])?.count == 4)
        #expect((objects[3]["new"] as? [String: Any])?["replica_identity"] as? String == "full")
        #expect(objects[1]["seq"] as? Int == 0 && objects[2]["seq"] as? Int == 1, "the schema event takes its place in the transaction")
        let validation = try StreamCommandTests.validate(result.stdout)
        #expect(validation.status == 0, "schema validation: \(validation.stdout) \(validation.stderr)")
    }
}

/// `--proto-version` and `--origin` against the PostgreSQL 15 the suite runs.
@Suite struct ProtocolVersionTests {
    @Test func everyVersionTheServerSpeaksGivesTheSameLinesAndNewerOnesAreRefused() throws {
        let (server, database) = try TestServer.freshDatabase()
        try server.psql(
            """
            CREATE TABLE orders (id int PRIMARY KEY, item text);
            CREATE PUBLICATION pub FOR TABLE orders;
            SELECT pg_create_logical_replication_slot('v1_\(database)', 'pgoutput');
            SELECT pg_create_logical_replication_slot('v2_\(database)', 'pgoutput');
            SELECT pg_create_logical_replication_slot('v3_\(database)', 'pgoutput');
            SELECT pg_create_logical_replication_slot('vd_\(database)', 'pgoutput');
            INSERT INTO orders VALUES (1, 'tea'), (2, 'cake');
            UPDATE orders SET item = 'green tea' WHERE id = 1;
            SELECT pg_logical_emit_message(true, 'audit', 'x');
            DELETE FROM orders WHERE id = 2;
            """, database: database)
        let end = try server.psql("SELECT pg_current_wal_insert_lsn()", database: database)
        func run(_ slot: String, _ extra: [String]) throws -> CLIResult {
            try CLIProcess.run(
                [
                    "stream", "--dsn", server.dsn(database: database), "--slot", slot, "--publication", "pub", "--end-lsn", end,
                    "--transactions",
                ] + extra)
        }
        let v1 = try run("v1_\(database)", ["--proto-version", "1"])
        #expect(v1.status == 0, "\(v1.stderr)")
        #expect(v1.lines.count == 13)  // 4 transactions: begin + commit each, 2 inserts, an update, a message, a delete
        for (slot, extra) in [
            ("v2_\(database)", ["--proto-version", "2"]), ("v3_\(database)", ["--proto-version", "3"]), ("vd_\(database)", []),
        ] {
            let other = try run(slot, extra)
            #expect(other.status == 0, "\(other.stderr)")
            #expect(other.stdout == v1.stdout, "\(extra) differs from protocol 1")
        }
        let v4 = try run("v1_\(database)", ["--proto-version", "4"])
        #expect(v4.status == 1)
        #expect(v4.stderr.contains("--proto-version 4 needs a newer server"), "\(v4.stderr)")
        let origin = try run("v1_\(database)", ["--origin", "none"])
        #expect(origin.status == 1)
        #expect(origin.stderr.contains("--origin none needs PostgreSQL 16 or later"), "\(origin.stderr)")
    }
}
