import Foundation
import TestSupport
import Testing
@testable import PostgresCDC

/// `--format debezium --sink file:PATH`: transactions end with Debezium END records carrying
/// `end_lsn`, by which the file stays its own checkpoint — exactly once across cuts and crashes.
@Suite struct DebeziumSinkTests {
    static func objects(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").map { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) ?? [:] }
    }

    /// `op`, or `status` for a transaction record.
    static func kinds(_ text: String) -> [String] {
        objects(text).map { $0["op"] as? String ?? $0["status"] as? String ?? "?" }
    }

    static func validate(_ text: String) throws -> CLIResult {
        try CLIProcess.validate(text, against: "debezium-event")
    }

    @Test func theFileHoldsEveryTransactionOnceAcrossACutAndAResume() throws {
        let prepared = try StreamCommandTests.prepare(workload: [
            "INSERT INTO orders (id, item, qty) VALUES (1, 'tea', 2), (2, 'cake', 1)",
            "SELECT pg_logical_emit_message(false, 'note', 'between')",
            "UPDATE orders SET qty = 3 WHERE id = 1",
        ])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgcdc-dbzfile-\(prepared.database)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/changes.jsonl"
        let arguments = [
            "stream", "--dsn", prepared.dsn, "--slot", prepared.slot, "--publication", "pub", "--sink", "file:\(path)",
            "--format", "debezium", "--on-empty-store", "continue",
        ]
        let first = try CLIProcess.run(arguments + ["--end-lsn", prepared.endLSN])
        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(first.stdout.isEmpty)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(Self.kinds(text) == ["c", "c", "END", "m", "u", "END"])
        let ends = Self.objects(text).filter { $0["status"] as? String == "END" }
        #expect(ends.allSatisfy { ($0["end_lsn"] as? Int ?? 0) > 0 }, "\(ends)")
        let validation = try Self.validate(text)
        #expect(validation.status == 0, "schema validation: \(validation.stdout) \(validation.stderr)")

        // What a crash leaves: a transaction's rows without their END record, and a torn line. The
        // next run cuts both off and writes nothing the file already holds.
        let firstRow = text.split(separator: "\n")[0]
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data((firstRow + "\n" + #"{"before":null,"after":{"id""#).utf8))
        handle.closeFile()
        let again = try CLIProcess.run(arguments + ["--end-lsn", prepared.endLSN])
        #expect(again.status == 0, "stderr: \(again.stderr)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)

        // New changes continue right after the last END record.
        _ = try prepared.server.psql("DELETE FROM orders WHERE id = 2", database: prepared.database)
        let end = try prepared.server.psql("SELECT pg_current_wal_insert_lsn()", database: prepared.database)
        let more = try CLIProcess.run(arguments + ["--end-lsn", end])
        #expect(more.status == 0, "stderr: \(more.stderr)")
        let after = try String(contentsOfFile: path, encoding: .utf8)
        #expect(after.hasPrefix(text))
        #expect(Self.kinds(String(after.dropFirst(text.count))) == ["d", "END"])
    }

    @Test func aSnapshotIntoTheFileEndsWithAnENDRecordAndIsNotCopiedAgain() throws {
        let (server, database) = try TestServer.freshDatabase()
        try server.psql(
            """
            CREATE TABLE orders (id int PRIMARY KEY, item text);
            CREATE PUBLICATION pub FOR TABLE orders;
            INSERT INTO orders SELECT g, 'item ' || g FROM generate_series(1, 50) g;
            """, database: database)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgcdc-dbzsnap-\(database)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/changes.jsonl"
        let arguments = [
            "stream", "--dsn", server.dsn(database: database), "--slot", "slot_\(database)", "--publication", "pub",
            "--create-slot", "--sink", "file:\(path)", "--format", "debezium",
        ]
        let end = try server.psql("SELECT pg_current_wal_insert_lsn()", database: database)
        let first = try CLIProcess.run(arguments + ["--end-lsn", end])
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let objects = Self.objects(text)
        #expect(Self.kinds(text) == Array(repeating: "r", count: 50) + ["END"])
        #expect((objects.last?["id"] as? String)?.hasPrefix("snapshot:") == true, "\(objects.last ?? [:])")
        #expect(objects.last?["event_count"] as? Int == 50)
        let validation = try Self.validate(text)
        #expect(validation.status == 0, "schema validation: \(validation.stdout) \(validation.stderr)")

        // A torn line after the snapshot is cut; the snapshot stays and is not copied again.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"before":null,"af"#.utf8))
        handle.closeFile()
        try server.psql("INSERT INTO orders VALUES (51, 'new')", database: database)
        let later = try server.psql("SELECT pg_current_wal_insert_lsn()", database: database)
        let again = try CLIProcess.run(arguments + ["--end-lsn", later])
        #expect(again.status == 0, "stderr: \(again.stderr)")
        let after = try String(contentsOfFile: path, encoding: .utf8)
        #expect(after.hasPrefix(text))
        #expect(Self.kinds(String(after.dropFirst(text.count))) == ["c", "END"])
    }

    @Test func sigkillWithTheDebeziumFileSinkLeavesEveryRowExactlyOnce() throws {
        let setup = try CrashTests.setUp()
        defer { setup.remove() }
        let writer = TableWriter(dsn: setup.dsn)
        writer.start()
        let path = "\(setup.scratch)/changes.jsonl"
        let arguments = ["--sink", "file:\(path)", "--format", "debezium", "--rotate-size", "64K", "--status-interval", "0.2"]
        _ = try CrashTests.cycle(setup, arguments: arguments, cycles: 12, signal: SIGKILL, expectedExit: 137)
        _ = try writer.stop()
        let final = try CrashTests.drain(setup, arguments: arguments)
        #expect(final.isEmpty, "the file sink writes nothing to stdout")

        let rotated = try FileManager.default.contentsOfDirectory(atPath: setup.scratch)
            .filter { $0.hasPrefix("changes.jsonl.") }.sorted()
        var text = ""
        for name in rotated + ["changes.jsonl"] {
            text += try String(contentsOfFile: "\(setup.scratch)/\(name)", encoding: .utf8)
        }
        let objects = Self.objects(text)
        #expect(objects.allSatisfy { !$0.isEmpty }, "the file holds a line that is not JSON")
        let ids = objects.filter { $0["op"] as? String == "c" }.compactMap { ($0["after"] as? [String: Any])?["id"] as? Int }
        let expected = try CrashTests.expectedIDs(setup)
        #expect(Set(ids).count == ids.count, "the file holds \(ids.count - Set(ids).count) duplicate rows")
        #expect(ids.count == expected.count, "the file holds \(ids.count) rows, the table \(expected.count)")
        let firstDifference = zip(ids, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(firstDifference == nil, "the file's rows differ from the table's from position \(firstDifference ?? 0)")
        // Every transaction in the file is closed by its END record, each one once.
        #expect(objects.last?["status"] as? String == "END")
        let transactions = objects.filter { $0["status"] as? String == "END" }.compactMap { $0["id"] as? String }
        #expect(Set(transactions).count == transactions.count, "an END record appears twice")
    }
}
