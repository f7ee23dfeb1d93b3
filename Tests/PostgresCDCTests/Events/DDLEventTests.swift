import Foundation
import TestSupport
import Testing
@testable import PostgresCDC

/// `pgcdc ddl install`: each DDL command reaches the stream as an `op: "ddl"` line, in commit
/// order with the rows; rolled-back, temporary and uninstalled DDL does not.
@Suite struct DDLEventTests {
    static let workload = [
        // One statement creating a sequence, a table and an index: one event per command.
        "CREATE TABLE orders (id serial PRIMARY KEY, item text)",
        "BEGIN; INSERT INTO items VALUES (1); ALTER TABLE items RENAME TO goods; INSERT INTO goods VALUES (2); COMMIT",
        "BEGIN; CREATE TABLE never (id int); ROLLBACK",
        "CREATE TEMP TABLE scratch (id int)",
        "CREATE INDEX goods_id ON goods (id)",
        "DROP TABLE orders",
        "SELECT pg_logical_emit_message(true, 'pgcdc.ddl', 'not a command')",
    ]

    @Test(arguments: [false, true])
    func ddlCommandsArriveInCommitOrderWithTheRows(postgres18: Bool) throws {
        let fixture = try StreamFixture.make(
            setup: "CREATE TABLE items (id int PRIMARY KEY); CREATE PUBLICATION pub FOR ALL TABLES", postgres18: postgres18)
        try DDLTrigger.install(dsn: fixture.dsn)
        try DDLTrigger.install(dsn: fixture.dsn)  // again: replaces, does not fail
        let captured = try fixture.capture(Self.workload)
        let summary = captured.changes.map { object -> String in
            let op = object["op"] as? String ?? "?"
            if op == "ddl" { return "ddl \(object["tag"] ?? "") \(object["object_type"] ?? "") \(object["identity"] ?? "")" }
            if op == "message" { return "message \(object["prefix"] ?? "")" }
            return "\(op) \(object["table"] ?? "") \((object["new"] as? [String: Any])?["id"] ?? "")"
        }
        #expect(
            summary == [
                "ddl CREATE SEQUENCE sequence public.orders_id_seq",
                "ddl CREATE TABLE table public.orders",
                "ddl CREATE INDEX index public.orders_pkey",
                "ddl ALTER SEQUENCE sequence public.orders_id_seq",
                "insert items 1",
                "ddl ALTER TABLE table public.goods",
                "schema goods ",  // the relation's new name, with its first row
                "insert goods 2",
                "ddl CREATE INDEX index public.goods_id",
                "ddl DROP TABLE table public.orders",
                "message pgcdc.ddl",
            ], "\(summary)")
        let rename = try #require(captured.changes.first { $0["tag"] as? String == "ALTER TABLE" })
        #expect(rename["schema"] as? String == "public")
        #expect((rename["statement"] as? String)?.contains("ALTER TABLE items RENAME TO goods") == true)
        #expect(rename["seq"] as? Int == 1, "the rename sits between the inserts of its transaction")

        let status = try PostgresConnection(dsn: fixture.dsn, replication: false)
        defer { status.close() }
        #expect(try DDLTrigger.status(on: status) == .installed)
        try DDLTrigger.uninstall(dsn: fixture.dsn)
        #expect(try DDLTrigger.status(on: status) == .notInstalled)
        #expect(try fixture.server.psql("SELECT count(*) FROM pg_namespace WHERE nspname = 'pgcdc'", database: fixture.database) == "0")
    }

    @Test func ddlOfAnyRoleIsSentAndInstallingNeedsASuperuser() throws {
        // A superuser-less role runs DDL: the SECURITY DEFINER function sends the message for it.
        let fixture = try StreamFixture.make(
            setup: """
                CREATE TABLE items (id int PRIMARY KEY); CREATE PUBLICATION pub FOR ALL TABLES;
                CREATE ROLE app LOGIN; GRANT CREATE ON SCHEMA public TO app;
                REVOKE EXECUTE ON FUNCTION pg_logical_emit_message(boolean, text, text) FROM PUBLIC;
                """)
        try DDLTrigger.install(dsn: fixture.dsn)
        let captured = try fixture.capture(["SET ROLE app; CREATE TABLE mine (id int)"])
        #expect(captured.changes.map { $0["identity"] as? String } == ["public.mine"])
        // Installing needs a superuser: the error says so.
        let error = #expect(throws: ReplicationError.self) {
            try DDLTrigger.install(dsn: fixture.dsn + " user=app")
        }
        #expect(error.map { "\($0)" }?.contains("needs a superuser") == true, "\(String(describing: error))")
    }

    @Test func withoutLogicalWALTheCommandSucceedsWithAWarning() throws {
        let server = try TestServer.own(extraSettings: ["wal_level": "replica"], setup: "SELECT 1")
        defer { server.stop() }
        try DDLTrigger.install(dsn: server.dsn(database: "app"))
        let output = try server.psql("CREATE TABLE t (id int); SELECT count(*) FROM t", database: "app")
        #expect(output == "0")
    }
}
