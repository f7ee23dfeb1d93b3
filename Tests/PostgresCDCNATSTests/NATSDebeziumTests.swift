import Foundation
import PGOutput
import TestSupport
import Testing
@testable import PostgresCDC
@testable import PostgresCDCNATS

/// `--format debezium --sink nats://`: Debezium lines on the same subjects, with the same message
/// ids, as the native lines of the same changes; a replay adds nothing to the stream.
@Suite struct NATSDebeziumTests {
    @Test func debeziumLinesGetTheSubjectsAndIDsOfNativeLinesAndAReplayIsDropped() throws {
        let nats = try NATSTestServer()
        // Three slots at the same point: one native run, one Debezium run, one Debezium replay.
        let setup = try NATSSinkTests.setUp(
            """
            CREATE TABLE a (id int PRIMARY KEY, v text);
            CREATE TABLE "b.x" (id int PRIMARY KEY);
            CREATE PUBLICATION pub FOR TABLE a, "b.x";
            """)
        _ = try setup.sql(
            """
            SELECT pg_create_logical_replication_slot('\(setup.slot)_dbz', 'pgoutput');
            SELECT pg_create_logical_replication_slot('\(setup.slot)_again', 'pgoutput');
            """)
        _ = try setup.sql(
            """
            INSERT INTO a SELECT g, 'v' || g FROM generate_series(1, 20) g;
            INSERT INTO "b.x" VALUES (1), (2);
            UPDATE a SET v = 'changed' WHERE id <= 5;
            SELECT pg_logical_emit_message(true, 'audit', 'done');
            SELECT pg_logical_emit_message(false, 'note', 'between');
            DELETE FROM a WHERE id = 20;
            TRUNCATE a, "b.x";
            """)
        let end = try setup.sql("SELECT pg_current_wal_insert_lsn()")
        func run(slot: String, stream: String, root: String, _ extra: [String]) throws {
            let arguments =
                [
                    "stream", "--dsn", setup.dsn, "--slot", slot, "--publication", "pub", "--sink", nats.url,
                    "--nats-stream", stream, "--nats-subject", "\(root).{schema}.{table}", "--nats-create-stream",
                    "--transactions", "--end-lsn", end,
                ] + extra
            let result = try CLIProcess.run(arguments)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
        try run(slot: setup.slot, stream: "NATIVE", root: "native", [])
        try run(slot: setup.slot + "_dbz", stream: "DBZ", root: "dbz", ["--format", "debezium"])

        let native = try JetStreamReader.messages(url: nats.url, stream: "NATIVE")
        let debezium = try JetStreamReader.messages(url: nats.url, stream: "DBZ")
        func routes(_ messages: [JetStreamReader.Message], root: String) -> [String] {
            messages.map { "\($0.subject.dropFirst(root.count)) \($0.messageID ?? "none")" }
        }
        #expect(routes(debezium, root: "dbz") == routes(native, root: "native"))
        let ids = debezium.compactMap(\.messageID)
        #expect(ids.count == debezium.count && Set(ids).count == ids.count, "missing or repeated message ids: \(ids)")
        let subjects = Dictionary(grouping: debezium, by: \.subject).mapValues(\.count)
        // 27 events on a, 3 on "b.x", two messages, and a begin and commit per transaction with events (6).
        #expect(
            subjects == [
                "dbz.public.a": 27, "dbz.public.b_x": 3, "dbz._messages.audit": 1, "dbz._messages.note": 1,
                "dbz._transactions": 12,
            ], "\(subjects)")

        // Each message is the Debezium line, and its id names the commit LSN the line carries.
        for message in debezium {
            let object = (try? JSONSerialization.jsonObject(with: Data(message.data)) as? [String: Any]) ?? [:]
            let id = message.messageID ?? ""
            if let status = object["status"] as? String {
                let commit = (object["id"] as? String)?.split(separator: ":").last.flatMap { UInt64($0) }.map { LSN($0).description }
                #expect(id == "\(commit ?? "?"):\(status == "BEGIN" ? "begin" : "commit")", "\(id): \(object)")
            } else {
                let source = object["source"] as? [String: Any] ?? [:]
                let sequence = (source["sequence"] as? String).flatMap {
                    try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String]
                }
                let commit = sequence?.first.flatMap { UInt64($0) }.map { LSN($0).description }
                let isMessage = object["op"] as? String == "m"
                let ownLSN = (source["lsn"] as? Int).map { LSN(UInt64($0)).description }
                let expectedCommit = isMessage && source["txId"] is NSNull ? ownLSN : commit
                #expect(id.hasPrefix("\(expectedCommit ?? "?"):"), "\(id): \(object)")
                #expect(["c", "u", "d", "t", "m"].contains(object["op"] as? String ?? ""), "\(object)")
            }
        }

        // The same changes again, from the third slot: JetStream drops every one by its id.
        try run(slot: setup.slot + "_again", stream: "DBZ", root: "dbz", ["--format", "debezium"])
        let after = try JetStreamReader.messages(url: nats.url, stream: "DBZ")
        #expect(after.count == debezium.count, "the replay added \(after.count - debezium.count) messages")
    }

    @Test func killedAtRandomMomentsTheDebeziumStreamStillHoldsEveryChangeOnce() throws {
        let (messages, expected) = try NATSSinkTests.runUnderFaults(restartNATS: false, extra: ["--format", "debezium"])
        let ids = messages.compactMap(\.messageID)
        #expect(ids.count == messages.count, "messages without Nats-Msg-Id")
        #expect(Set(ids).count == ids.count, "the stream holds \(ids.count - Set(ids).count) duplicates")
        let rows = messages.compactMap { message -> Int? in
            let object = (try? JSONSerialization.jsonObject(with: Data(message.data)) as? [String: Any]) ?? [:]
            guard object["op"] as? String == "c" else { return nil }
            return (object["after"] as? [String: Any])?["id"] as? Int
        }.sorted()
        #expect(rows.count == expected.count, "the stream holds \(rows.count) rows, the table \(expected.count)")
        let missing = Set(expected).subtracting(rows)
        #expect(missing.isEmpty, "\(missing.count) rows missing from the stream, e.g. \(missing.sorted().prefix(5))")
    }
}
