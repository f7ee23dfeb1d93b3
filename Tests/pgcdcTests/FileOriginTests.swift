import Foundation
import TestSupport
import Testing
@testable import PostgresCDC

/// `--sink file:PATH` resumes from its own last commit line; `.NAME.pgcdc-origin` ties those positions to
/// one slot on one cluster, so a file is never continued from another's (which would skip changes).
@Suite struct FileOriginTests {
    @Test func aFileIsNotContinuedFromAnotherSlotOrAnotherCluster() throws {
        let prepared = try StreamCommandTests.prepare(workload: ["INSERT INTO orders (id, item, qty) VALUES (1, 'tea', 2)"])
        let directory = NSTemporaryDirectory() + "pgcdc-origin-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/changes.jsonl"
        let first = try CLIProcess.run([
            "stream", "--dsn", prepared.dsn, "--slot", prepared.slot, "--publication", "pub", "--sink", "file:\(path)", "--end-lsn",
            prepared.endLSN, "--on-empty-store", "continue",
        ])
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let origin = try String(contentsOfFile: "\(directory)/.changes.jsonl.pgcdc-origin", encoding: .utf8)
        #expect(origin.hasPrefix("slot=\(prepared.slot)\nsystem_identifier="))

        // Another slot on the same server.
        try prepared.server.psql(
            "SELECT pg_create_logical_replication_slot('other_\(prepared.database)', 'pgoutput')", database: prepared.database)
        let otherSlot = try CLIProcess.run([
            "stream", "--dsn", prepared.dsn, "--slot", "other_\(prepared.database)", "--publication", "pub", "--sink", "file:\(path)",
            "--end-lsn", prepared.endLSN,
        ])
        #expect(otherSlot.status != 0)
        #expect(otherSlot.stderr.contains("holds the changes of slot \"\(prepared.slot)\""), "stderr: \(otherSlot.stderr)")

        // The same slot name on another cluster (PostgreSQL 18), whose LSNs mean something else.
        let (server18, database18) = try TestServer.freshDatabase18()
        try server18.psql(
            """
            CREATE TABLE orders (id bigint PRIMARY KEY, item text, qty int);
            CREATE PUBLICATION pub FOR TABLE orders;
            SELECT pg_create_logical_replication_slot('\(prepared.slot)', 'pgoutput');
            INSERT INTO orders VALUES (2, 'cake', 1);
            """, database: database18)
        let end18 = try server18.psql("SELECT pg_current_wal_insert_lsn()", database: database18)
        let otherCluster = try CLIProcess.run([
            "stream", "--dsn", server18.dsn(database: database18), "--slot", prepared.slot, "--publication", "pub", "--sink",
            "file:\(path)", "--end-lsn", end18,
        ])
        #expect(otherCluster.status != 0)
        #expect(otherCluster.stderr.contains("system identifier"), "stderr: \(otherCluster.stderr)")
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("cake") == false)
    }
}
