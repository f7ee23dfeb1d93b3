import Foundation
import TestSupport
import Testing
@testable import PostgresCDC

/// An output file deleted to rebuild it, facing the slot that already streamed it: pgcdc refuses
/// rather than stream on without the rows written before; `--on-empty-store resnapshot` copies the
/// tables again, `--on-empty-store continue` streams on.
@Suite struct EmptyStoreCLITests {
    static func reads(_ path: String) throws -> [Int] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line -> Int? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                ["read", "insert"].contains(object["op"] as? String), let new = object["new"] as? [String: Any]
            else { return nil }
            return new["id"] as? Int
        }
    }

    @Test func aDeletedOutputIsRefusedThenRebuiltWithResnapshotOrContinued() throws {
        let (server, database) = try TestServer.freshDatabase()
        try server.psql(
            "CREATE TABLE t (id int PRIMARY KEY, v text); CREATE PUBLICATION pub FOR TABLE t; "
                + "INSERT INTO t SELECT g, 'v' FROM generate_series(1, 3) g;", database: database)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("pgcdc-empty-\(database)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let path = "\(scratch)/changes.jsonl"
        let slot = "rebuild_\(database)"
        let stream = ["stream", "--dsn", server.dsn(database: database), "--slot", slot, "--publication", "pub", "--sink", "file:\(path)"]
        func end() throws -> String { try server.psql("SELECT pg_current_wal_insert_lsn()", database: database) }

        // A first run creates the slot and copies the table.
        let first = try CLIProcess.run(stream + ["--create-slot", "--end-lsn", try end()])
        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(try Self.reads(path) == [1, 2, 3])

        // The output is deleted to rebuild it; the slot is far ahead of it.
        try server.psql("INSERT INTO t VALUES (4, 'later')", database: database)
        try FileManager.default.removeItem(atPath: path)
        let refused = try CLIProcess.run(stream + ["--create-slot", "--end-lsn", try end()])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("replication slot \"\(slot)\" exists on"), "stderr: \(refused.stderr)")
        #expect(refused.stderr.contains("nothing is stored from it"))
        #expect(refused.stderr.contains("--on-empty-store resnapshot") && refused.stderr.contains("--on-empty-store continue"))
        #expect(try Self.reads(path).isEmpty)

        // resnapshot: the slot is dropped and re-created, every row comes again.
        let rebuilt = try CLIProcess.run(stream + ["--on-empty-store", "resnapshot", "--end-lsn", try end()])
        #expect(rebuilt.status == 0, "stderr: \(rebuilt.stderr)")
        #expect(try Self.reads(path) == [1, 2, 3, 4])

        // continue: deleted again, the next run streams on from the slot — only what comes after.
        try FileManager.default.removeItem(atPath: path)
        try server.psql("INSERT INTO t VALUES (5, 'after')", database: database)
        let continued = try CLIProcess.run(stream + ["--on-empty-store", "continue", "--end-lsn", try end()])
        #expect(continued.status == 0, "stderr: \(continued.stderr)")
        #expect(try Self.reads(path) == [5])
    }
}
