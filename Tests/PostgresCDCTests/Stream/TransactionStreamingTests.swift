import Foundation
import Logging
import Testing
@testable import PostgresCDC

/// Transaction boundaries, ordering, truncates, COPY and logical decoding messages, from a real server.
@Suite struct TransactionStreamingTests {
    static let setup = """
        CREATE TABLE t (id int PRIMARY KEY, v text);
        CREATE TABLE child (id int PRIMARY KEY, t_id int REFERENCES t(id));
        CREATE PUBLICATION pub FOR TABLE t, child;
        """

    @Test func eventsOfOneTransactionShareCommitLSNAndCountSeq() throws {
        let fixture = try StreamFixture.make(setup: Self.setup)
        let stream = try fixture.capture([
            "BEGIN; INSERT INTO t VALUES (1,'a'); INSERT INTO t VALUES (2,'b'); UPDATE t SET v='c' WHERE id=1; COMMIT;"
        ]) {
            $0.includeTransactionEvents = true
        }
        #expect(stream.objects.map { $0["op"] as? String } == ["begin", "insert", "insert", "update", "commit"])
        let commitLSN = stream.objects[0]["commit_lsn"] as? String
        #expect(stream.objects.allSatisfy { $0["commit_lsn"] as? String == commitLSN })
        #expect(stream.changes.map { $0["seq"] as? Int } == [0, 1, 2])
        let xid = stream.objects[0]["xid"] as? Int
        #expect(xid != nil)
        #expect(stream.objects.allSatisfy { $0["xid"] as? Int == xid })
        #expect(stream.objects[4]["events"] as? Int == 3)
        let end = (stream.objects[4]["end_lsn"] as? String).flatMap(LSN.init)
        #expect(end != nil && end! > LSN(commitLSN ?? "")!)
        // commit_time: ISO 8601 UTC with microseconds.
        let time = stream.objects[0]["commit_time"] as? String ?? ""
        #expect(time.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"#, options: .regularExpression) != nil)
    }

    @Test func rolledBackTransactionNeverAppears() throws {
        let fixture = try StreamFixture.make(setup: Self.setup)
        let stream = try fixture.capture([
            "INSERT INTO t VALUES (1, 'kept')",
            "BEGIN; INSERT INTO t VALUES (2, 'rolled back'); UPDATE t SET v = 'gone' WHERE id = 1; ROLLBACK;",
            "BEGIN; INSERT INTO t VALUES (3, 'sp'); SAVEPOINT s; INSERT INTO t VALUES (4, 'undone'); ROLLBACK TO s; COMMIT;",
        ])
        let ids = stream.changes.compactMap { ($0["new"] as? [String: Any])?["id"] as? Int }
        #expect(ids == [1, 3])
    }

    @Test func concurrentInterleavedTransactionsArriveInCommitOrder() throws {
        let fixture = try StreamFixture.make(setup: Self.setup)
        var configuration = fixture.configuration()
        configuration.includeTransactionEvents = true
        let session = try ReplicationSession(configuration: configuration, logger: Logger(label: "test"))
        defer { session.close() }
        let first = try PostgresConnection(dsn: fixture.dsn, replication: false)
        let second = try PostgresConnection(dsn: fixture.dsn, replication: false)
        defer { first.close(); second.close() }
        try first.query("BEGIN")
        try first.query("INSERT INTO t VALUES (1, 'first-a')")
        try second.query("BEGIN")
        try second.query("INSERT INTO t VALUES (2, 'second')")
        try first.query("INSERT INTO t VALUES (3, 'first-b')")
        try second.query("COMMIT")
        try first.query("COMMIT")
        try fixture.stop(session)
        let stream = try fixture.drain(session, timeout: .seconds(60))
        let ops = stream.objects.map { ($0["op"] as? String ?? "") + (($0["new"] as? [String: Any])?["id"].map { "\($0)" } ?? "") }
        #expect(ops == ["begin", "insert2", "commit", "begin", "insert1", "insert3", "commit"])
    }

    @Test func truncateNamesItsTablesAndOptions() throws {
        let fixture = try StreamFixture.make(setup: Self.setup + "INSERT INTO t VALUES (1, 'x'); INSERT INTO child VALUES (1, 1);")
        let stream = try fixture.capture(["TRUNCATE t CASCADE", "TRUNCATE child RESTART IDENTITY"])
        let events = stream.changes
        #expect(events.count == 2)
        #expect(events[0]["op"] as? String == "truncate")
        let tables = (events[0]["tables"] as? [[String: String]])?.map { "\($0["schema"] ?? "").\($0["table"] ?? "")" }.sorted()
        #expect(tables == ["public.child", "public.t"])
        #expect(events[0]["cascade"] as? Bool == true)
        #expect(events[0]["restart_identity"] as? Bool == false)
        #expect(events[1]["cascade"] as? Bool == false)
        #expect(events[1]["restart_identity"] as? Bool == true)
    }

    @Test func multiRowCopyArrivesAsOneInsertPerRow() throws {
        let fixture = try StreamFixture.make(setup: Self.setup)
        let stream = try fixture.capture(["COPY t (id, v) FROM STDIN;\n1\tone\n2\ttwo\n3\tthree\n\\.\n"])
        let events = stream.changes
        #expect(events.map { $0["op"] as? String } == ["insert", "insert", "insert"])
        #expect(events.map { $0["seq"] as? Int } == [0, 1, 2])
        #expect(events.compactMap { ($0["new"] as? [String: Any])?["v"] as? String } == ["one", "two", "three"])
        // (commit_lsn, seq) identifies an event even when several rows share one WAL record.
        let ids = Set(events.map { "\($0["commit_lsn"] ?? "")/\($0["seq"] ?? "")" })
        #expect(ids.count == 3)
    }

    @Test func logicalDecodingMessagesArriveTransactionalAndNot() throws {
        let fixture = try StreamFixture.make(setup: Self.setup)
        let stream = try fixture.capture([
            "BEGIN; INSERT INTO t VALUES (1, 'x'); SELECT pg_logical_emit_message(true, 'audit', 'in tx'); COMMIT;",
            "SELECT pg_logical_emit_message(false, 'beat', 'now')",
            "SELECT pg_logical_emit_message(false, 'bin', '\\xff00'::bytea)",
        ])
        let events = stream.changes
        #expect(events.map { $0["op"] as? String } == ["insert", "message", "message", "message"])
        #expect(events[1]["transactional"] as? Bool == true)
        #expect(events[1]["prefix"] as? String == "audit")
        #expect(events[1]["content"] as? String == "in tx")
        #expect(events[1]["seq"] as? Int == 1)
        #expect(events[1]["commit_lsn"] as? String == events[0]["commit_lsn"] as? String)
        #expect(events[2]["transactional"] as? Bool == false)
        #expect(events[2]["content"] as? String == "now")
        #expect(events[2]["xid"] == nil)
        #expect(events[2]["commit_lsn"] as? String == events[2]["lsn"] as? String)
        #expect(events[3]["content"] == nil)
        #expect(events[3]["content_hex"] as? String == "\\xff00")
    }
}
