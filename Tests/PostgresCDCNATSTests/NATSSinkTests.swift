import CNATS
import Foundation
import PGOutput
import PostgresCDCTesting
import TestSupport
import Testing
@testable import PostgresCDC
@testable import PostgresCDCNATS

/// `pgcdc stream --sink nats://` against a real `nats-server -js` and a real PostgreSQL.
@Suite struct NATSSinkTests {
    struct Setup {
        var server: LocalPostgresServer
        var database: String
        var dsn: String { server.dsn(database: database) }
        var slot: String { "slot_\(database)" }
        func sql(_ text: String) throws -> String { try server.psql(text, database: database) }
    }

    static func setUp(_ schema: String) throws -> Setup {
        let (server, database) = try TestServer.freshDatabase()
        try server.psql(schema + "\nSELECT pg_create_logical_replication_slot('slot_\(database)', 'pgoutput');", database: database)
        return Setup(server: server, database: database)
    }

    static func stream(_ setup: Setup, nats: NATSTestServer, _ extra: [String]) -> [String] {
        ["stream", "--dsn", setup.dsn, "--slot", setup.slot, "--publication", "pub", "--sink", nats.url, "--nats-stream", "CDC"]
            + ["--on-empty-store", "continue"] + extra
    }

    static func object(_ message: JetStreamReader.Message) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(message.data)) as? [String: Any]) ?? [:]
    }

    @Test func everyEventLandsOnItsSubjectInOrderWithItsMessageID() throws {
        let nats = try NATSTestServer()
        let setup = try Self.setUp(
            """
            CREATE TABLE a (id int PRIMARY KEY, v text);
            CREATE TABLE "b.x" (id int PRIMARY KEY);
            CREATE PUBLICATION pub FOR TABLE a, "b.x";
            """)
        _ = try setup.sql(
            """
            INSERT INTO a SELECT g, 'v' || g FROM generate_series(1, 20) g;
            INSERT INTO "b.x" VALUES (1), (2);
            UPDATE a SET v = 'changed' WHERE id <= 5;
            SELECT pg_logical_emit_message(true, 'audit', 'done');
            DELETE FROM a WHERE id = 20;
            TRUNCATE a, "b.x";
            """)
        let end = try setup.sql("SELECT pg_current_wal_insert_lsn()")
        let result = try CLIProcess.run(Self.stream(setup, nats: nats, ["--nats-create-stream", "--end-lsn", end]))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)

        let messages = try JetStreamReader.messages(url: nats.url, stream: "CDC")
        let subjects = Dictionary(grouping: messages, by: \.subject).mapValues(\.count)
        // 20 inserts + 5 updates + 1 delete + 1 truncate on a; 2 inserts + 1 truncate on "b.x" (a dot becomes _).
        #expect(subjects == ["pgcdc.public.a": 27, "pgcdc.public.b_x": 3, "pgcdc._messages.audit": 1], "\(subjects)")
        for message in messages {
            let object = Self.object(message)
            let id = "\(object["commit_lsn"] ?? "?"):\(object["seq"] ?? "?")"
            let truncateCopy = message.messageID == id + ":1"
            #expect(
                message.messageID == id || truncateCopy,
                "message \(message.sequence) has id \(message.messageID ?? "none"), its line says \(id)")
        }
        // In order per table: (commit_lsn, seq) only grows along a subject.
        let onA = messages.filter { $0.subject == "pgcdc.public.a" }.map(Self.object)
        let keys = onA.map { (LSN($0["commit_lsn"] as? String ?? "") ?? .zero, $0["seq"] as? Int ?? -1) }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 }, "events on pgcdc.public.a are out of order")
        #expect(onA.last?["op"] as? String == "truncate")
    }

    @Test func aStreamThatDoesNotCaptureTheSubjectsIsRefusedAndAMissingServerNamed() throws {
        let nats = try NATSTestServer()
        let setup = try Self.setUp("CREATE TABLE a (id int PRIMARY KEY); CREATE PUBLICATION pub FOR TABLE a;")
        try JetStreamReader.createStream(url: nats.url, name: "CDC", subjects: ["pgcdc.public.*"])
        let narrow = try CLIProcess.run(Self.stream(setup, nats: nats, []))
        #expect(narrow.status == 1)
        #expect(narrow.stderr.contains("the stream's subjects [\"pgcdc.public.*\"] do not capture pgcdc.*.*"), "\(narrow.stderr)")

        let missing = try CLIProcess.run(Self.stream(setup, nats: nats, []).map { $0 == "CDC" ? "NOPE" : $0 })
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("the stream does not exist"), "\(missing.stderr)")

        nats.stop()
        let unreachable = try CLIProcess.run(Self.stream(setup, nats: nats, []))
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.contains("cannot connect to NATS stream CDC at \(nats.url)"), "\(unreachable.stderr)")
    }

    @Test func aMessageJetStreamRefusesStopsPgcdcNamingTheSubject() throws {
        let nats = try NATSTestServer()
        let setup = try Self.setUp("CREATE TABLE a (id int PRIMARY KEY, v text); CREATE PUBLICATION pub FOR TABLE a;")
        try JetStreamReader.createStream(url: nats.url, name: "CDC", subjects: ["pgcdc.>"], maxMessageSize: 200)
        // Everything before this point may be confirmed (the server's keepalives between transactions,
        // other databases' WAL); the refused transaction comes after it and must not be.
        let mark = try #require(LSN(try setup.sql("SELECT pg_current_wal_insert_lsn()")))
        _ = try setup.sql("INSERT INTO a VALUES (1, repeat('x', 500))")
        let end = try setup.sql("SELECT pg_current_wal_insert_lsn()")
        let result = try CLIProcess.run(Self.stream(setup, nats: nats, ["--end-lsn", end]))
        #expect(result.status == 1)
        #expect(result.stderr.contains("publish to pgcdc.public.a rejected"), "\(result.stderr)")
        let after = try #require(
            LSN(try setup.sql("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '\(setup.slot)'")))
        #expect(after <= mark, "the slot moved to \(after), past the refused transaction after \(mark)")
    }

    /// Runs pgcdc against the writer, ending each run with SIGKILL, then drains; or, with
    /// `restartNATS`, one run during which nats-server is stopped and started again. `extra` are
    /// more pgcdc arguments (`--format debezium`).
    static func runUnderFaults(restartNATS: Bool, extra: [String] = []) throws
        -> (messages: [JetStreamReader.Message], expected: [Int])
    {
        let nats = try NATSTestServer()
        let setup = try Self.setUp(TableWriter.schema + "CREATE PUBLICATION pub FOR TABLE crash;")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("pgcdc-natsfault-\(setup.database)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var arguments = Self.stream(setup, nats: nats, ["--nats-create-stream", "--checkpoint", "\(scratch)/cp.json"] + extra)
        // Acknowledgements lost with the server time out quickly, so the outage forces a republish.
        if restartNATS { arguments += ["--nats-ack-timeout", "0.5"] }
        let writer = TableWriter(dsn: setup.dsn)
        writer.start()
        if restartNATS {
            let run = try BackgroundProcess(arguments, stdoutPath: "\(scratch)/out", stderrPath: "\(scratch)/err")
            usleep(800_000)
            nats.stop()
            usleep(2_000_000)
            try nats.start()
            usleep(1_500_000)
            run.signal(SIGTERM)
            #expect(run.wait(timeout: 30) == 0, "stderr: \(run.stderr)")
            // The outage was noticed and the unacknowledged batch published again.
            #expect(run.stderr.contains("JetStream did not acknowledge; publishing the batch again"), "stderr: \(run.stderr)")
        } else {
            var runs = 0
            var attempts = 0
            while runs < 10 && attempts < 40 {
                attempts += 1
                let run = try BackgroundProcess(arguments, stdoutPath: "\(scratch)/out", stderrPath: "\(scratch)/err")
                usleep(useconds_t.random(in: 200_000...700_000))
                if run.wait(timeout: 0) != nil {
                    #expect(run.stderr.contains("is in use"), "run exited early: \(run.stderr)")
                    usleep(100_000)
                    continue
                }
                run.signal(SIGKILL)
                _ = run.wait(timeout: 5)
                runs += 1
            }
            #expect(runs == 10)
        }
        _ = try writer.stop()
        let end = try setup.sql("SELECT pg_current_wal_insert_lsn()")
        var drained = try CLIProcess.run(arguments + ["--end-lsn", end])
        for _ in 0..<50 where drained.status != 0 && drained.stderr.contains("is in use") {
            usleep(100_000)
            drained = try CLIProcess.run(arguments + ["--end-lsn", end])
        }
        #expect(drained.status == 0, "final run: \(drained.stderr)")
        let expected = try setup.sql("SELECT id FROM crash ORDER BY id").split(separator: "\n").compactMap { Int($0) }
        return (try JetStreamReader.messages(url: nats.url, stream: "CDC"), expected)
    }

    static func verifyExactlyOnce(_ messages: [JetStreamReader.Message], expected: [Int]) {
        let ids = messages.compactMap(\.messageID)
        #expect(ids.count == messages.count, "messages without Nats-Msg-Id")
        #expect(Set(ids).count == ids.count, "the stream holds \(ids.count - Set(ids).count) duplicates")
        let rows = messages.compactMap { (Self.object($0)["new"] as? [String: Any])?["id"] as? Int }.sorted()
        #expect(rows.count == expected.count, "the stream holds \(rows.count) rows, the table \(expected.count)")
        let missing = Set(expected).subtracting(rows)
        #expect(missing.isEmpty, "\(missing.count) rows missing from the stream, e.g. \(missing.sorted().prefix(5))")
    }

    @Test func killedAtRandomMomentsTheStreamStillHoldsEveryChangeOnce() throws {
        let (messages, expected) = try Self.runUnderFaults(restartNATS: false)
        Self.verifyExactlyOnce(messages, expected: expected)
    }

    @Test func aNATSServerRestartMidStreamLosesNothing() throws {
        let (messages, expected) = try Self.runUnderFaults(restartNATS: true)
        Self.verifyExactlyOnce(messages, expected: expected)
    }

    /// Batches go out as chains of messages, only the last acknowledged. Another publisher's
    /// messages between two of ours break the chains (the stream's last message is not the one
    /// ours names): each batch is then published again with an acknowledgement per message, and
    /// the stream holds every change once; a later run goes out as chains again.
    @Test func anotherPublisherBreakingTheChainsLosesAndDuplicatesNothing() throws {
        let nats = try NATSTestServer()
        let setup = try Self.setUp("CREATE TABLE a (id int PRIMARY KEY, v text); CREATE PUBLICATION pub FOR TABLE a;")
        // About 3 batches of 256 KiB.
        _ = try setup.sql("INSERT INTO a SELECT g, repeat('v', 200) FROM generate_series(1, 3000) g")
        var end = try setup.sql("SELECT pg_current_wal_insert_lsn()")
        try JetStreamReader.createStream(url: nats.url, name: "CDC", subjects: ["pgcdc.>"])
        let publisher = ForeignPublisher(url: nats.url, subject: "pgcdc._other.x")
        let first = try CLIProcess.run(Self.stream(setup, nats: nats, ["--end-lsn", end]))
        let foreign = try publisher.stop()
        #expect(foreign > 0)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(first.stderr.contains("JetStream did not acknowledge; publishing the batch again"), "stderr: \(first.stderr)")
        _ = try setup.sql("INSERT INTO a SELECT g, 'new' FROM generate_series(3001, 3100) g")
        end = try setup.sql("SELECT pg_current_wal_insert_lsn()")
        let second = try CLIProcess.run(Self.stream(setup, nats: nats, ["--end-lsn", end]))
        #expect(second.status == 0, "stderr: \(second.stderr)")
        #expect(!second.stderr.contains("publishing the batch again"), "a chain broke with no other publisher: \(second.stderr)")
        let messages = try JetStreamReader.messages(url: nats.url, stream: "CDC")
        #expect(messages.count { $0.subject == "pgcdc._other.x" } == foreign)
        Self.verifyExactlyOnce(messages.filter { $0.subject != "pgcdc._other.x" }, expected: Array(1...3100))
    }

    /// Publishes to `subject` (core NATS, no acknowledgement) every 200 µs on its own thread until stopped.
    final class ForeignPublisher: @unchecked Sendable {
        private let lock = NSLock()
        private var stopping = false
        private var published = 0
        private var failure: String?
        private let done = DispatchSemaphore(value: 0)

        init(url: String, subject: String) {
            Thread { [self] in
                defer { done.signal() }
                var connection: OpaquePointer?
                guard natsConnection_ConnectTo(&connection, url) == NATS_OK, let connection else {
                    lock.withLock { failure = "cannot connect to \(url)" }
                    return
                }
                defer { natsConnection_Destroy(connection) }
                while !lock.withLock({ stopping }) {
                    if natsConnection_PublishString(connection, subject, "foreign") == NATS_OK { lock.withLock { published += 1 } }
                    usleep(200)
                }
                _ = natsConnection_Flush(connection)
            }.start()
        }

        /// Stops and returns how many messages were published.
        func stop() throws -> Int {
            lock.withLock { stopping = true }
            done.wait()
            if let failure = lock.withLock({ failure }) { throw NATSTestServerError.notReady(failure) }
            return lock.withLock { published }
        }
    }
}
