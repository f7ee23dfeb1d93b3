import Foundation
import Logging
import Testing
@testable import PostgresCDC
@testable import PostgresCDCEvents

/// `streaming on|parallel`: the server sends large transactions while they run (the test server
/// has logical_decoding_work_mem = 64kB); pgcdc must hand out exactly what it hands out without
/// streaming — only committed changes, in commit order, byte for byte the same lines.
@Suite struct StreamedTransactionTests {
    static let setup = """
        CREATE TABLE big (id int PRIMARY KEY, payload text, n bigint);
        CREATE TABLE small (id int PRIMARY KEY, v text);
        CREATE PUBLICATION pub FOR TABLE big, small;
        """

    /// Streams `workload` through two slots of the same database, one without streaming and one
    /// with `mode`, and returns both captures and the streaming session's in-progress set.
    func captureBothWays(
        _ mode: StreamingMode = .on,
        maxMemory: Int = 64 << 20,
        postgres18: Bool = false,
        workload: (StreamFixture, ReplicationSession) throws -> Void
    ) throws -> (plain: CapturedStream, streamed: CapturedStream, spills: Int, slot: String, fixture: StreamFixture) {
        let fixture = try StreamFixture.make(setup: Self.setup, postgres18: postgres18)
        var plainConfiguration = fixture.configuration()
        plainConfiguration.includeTransactionEvents = true
        var streamedConfiguration = plainConfiguration
        streamedConfiguration.slot = fixture.slot + "_s"
        streamedConfiguration.streaming = mode
        streamedConfiguration.maxMemory = maxMemory
        let plain = try ReplicationSession(configuration: plainConfiguration, logger: Logger(label: "test"))
        defer { plain.close() }
        let streamed = try ReplicationSession(configuration: streamedConfiguration, logger: Logger(label: "test"))
        defer { streamed.close() }
        try workload(fixture, streamed)
        try fixture.stop(plain)
        try fixture.stop(streamed)
        let plainCapture = try fixture.drain(plain, timeout: .seconds(120))
        let streamedCapture = try fixture.drain(streamed, timeout: .seconds(120))
        return (plainCapture, streamedCapture, streamed.assembler.inProgress?.spillCount ?? -1, streamedConfiguration.slot, fixture)
    }

    /// How many transactions the server streamed through `slot` (pg_stat_replication_slots).
    func streamedTransactions(_ fixture: StreamFixture, slot: String) throws -> Int {
        var count = 0
        for _ in 0..<200 {
            count =
                Int(
                    try fixture.server.psql(
                        "SELECT coalesce(sum(stream_txns), 0) FROM pg_stat_replication_slots WHERE slot_name = '\(slot)'",
                        database: fixture.database)) ?? 0
            if count > 1 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return count
    }

    /// The first line where two captures differ (short enough to read in a failure).
    static func firstDifference(_ streamed: [String], _ plain: [String]) -> String? {
        for (index, (left, right)) in zip(streamed, plain).enumerated() where left != right {
            return "line \(index): streamed \(left.prefix(300)) / plain \(right.prefix(300))"
        }
        return streamed.count == plain.count ? nil : "streamed \(streamed.count) lines, plain \(plain.count)"
    }

    static let largeTransaction = """
        BEGIN;
        INSERT INTO big SELECT g, repeat('x', 50) || g, g * 7 FROM generate_series(1, 3000) g;
        SAVEPOINT a;
        INSERT INTO big SELECT g, 'rolled back', 0 FROM generate_series(100001, 102000) g;
        SAVEPOINT nested;
        INSERT INTO big SELECT g, 'nested, rolled back', 0 FROM generate_series(200001, 201000) g;
        ROLLBACK TO a;
        SAVEPOINT b;
        INSERT INTO big SELECT g, 'released', 1 FROM generate_series(3001, 4000) g;
        RELEASE b;
        UPDATE big SET n = -n WHERE id % 10 = 0;
        DELETE FROM big WHERE id % 100 = 1;
        INSERT INTO small VALUES (1, 'inside the large one');
        COMMIT;
        """

    /// Debian's PostgreSQL 15 with `streaming on` (protocol 3), and PostgreSQL 18 with `parallel`
    /// (protocol 4: Stream Abort carries its LSN and time).
    @Test(arguments: [(StreamingMode.on, false), (.parallel, true)])
    func largeTransactionWithRolledBackSavepointsMatchesTheUnstreamedOutput(mode: StreamingMode, postgres18: Bool) throws {
        let run = try captureBothWays(mode, postgres18: postgres18) { fixture, streamed in
            // Aborted only once pgcdc holds part of it: PostgreSQL 17+ no longer streams a
            // transaction that has already aborted by the time it is decoded.
            let aborted = try PostgresConnection(dsn: fixture.dsn, replication: false)
            defer { aborted.close() }
            try aborted.query("BEGIN")
            try aborted.query("INSERT INTO big SELECT g, 'aborted after streaming began', 0 FROM generate_series(500001, 504000) g")
            let deadline = ContinuousClock.now + .seconds(60)
            while streamed.assembler.inProgress?.count == 0, ContinuousClock.now < deadline {
                if case .event = try streamed.next(wait: true) { Issue.record("an event before anything committed") }
            }
            #expect(streamed.assembler.inProgress?.count == 1)
            try aborted.query("ROLLBACK")
            try fixture.server.psql(Self.largeTransaction, database: fixture.database)
            try fixture.server.psql("INSERT INTO small VALUES (2, 'after')", database: fixture.database)
        }
        let streamedCount = try streamedTransactions(run.fixture, slot: run.slot)
        #expect(streamedCount >= 2, "pg_stat_replication_slots.stream_txns = \(streamedCount)")
        #expect(run.streamed.lines.count == run.plain.lines.count)
        #expect(Self.firstDifference(run.streamed.lines, run.plain.lines) == nil)
        let ids = Set(run.streamed.changes.compactMap { ($0["new"] as? [String: Any])?["id"] as? Int })
        #expect(ids.contains(3000) && ids.contains(4000) && !ids.contains(100001) && !ids.contains(200001) && !ids.contains(500001))
        #expect(run.spills == 0)
    }

    @Test func concurrentTransactionsKeepCommitOrderAndSpillPastTheMemoryBound() throws {
        let run = try captureBothWays(maxMemory: 64 << 10) { fixture, _ in
            let large = try PostgresConnection(dsn: fixture.dsn, replication: false)
            let other = try PostgresConnection(dsn: fixture.dsn, replication: false)
            defer { large.close(); other.close() }
            try large.query("BEGIN")
            try large.query("INSERT INTO big SELECT g, repeat('y', 80), g FROM generate_series(1, 4000) g")
            try other.query("INSERT INTO small VALUES (1, 'committed while the large one runs')")
            try large.query("INSERT INTO big SELECT g, repeat('z', 80), g FROM generate_series(4001, 8000) g")
            try other.query("BEGIN")
            try other.query("INSERT INTO big SELECT g, 'second large', g FROM generate_series(10001, 14000) g")
            try large.query("INSERT INTO small VALUES (2, 'large')")
            try other.query("COMMIT")
            try large.query("COMMIT")
        }
        #expect(try streamedTransactions(run.fixture, slot: run.slot) >= 2)
        #expect(Self.firstDifference(run.streamed.lines, run.plain.lines) == nil)
        let order = run.streamed.objects.compactMap { object -> String? in
            guard object["op"] as? String == "insert", object["table"] as? String == "small" else { return nil }
            return (object["new"] as? [String: Any])?["v"] as? String
        }
        #expect(order == ["committed while the large one runs", "large"])
        #expect(run.spills > 0)
    }

    @Test func parallelStreamingNeedsProtocolFour() throws {
        let fixture = try StreamFixture.make(setup: Self.setup)
        var configuration = fixture.configuration()
        configuration.streaming = .parallel
        #expect {
            _ = try ReplicationSession(configuration: configuration, logger: Logger(label: "test"))
        } throws: { error in
            "\(error)".contains("streaming = .parallel needs protocolVersion = 4")
        }
    }

    @Test func unwritableSpillDirectoryIsRefusedBeforeStreaming() throws {
        let fixture = try StreamFixture.make(setup: Self.setup)
        var configuration = fixture.configuration()
        configuration.streaming = .on
        configuration.spillDirectory = "/nonexistent/pgcdc-spill"
        #expect {
            _ = try ReplicationSession(configuration: configuration, logger: Logger(label: "test"))
        } throws: { error in
            "\(error)".contains("/nonexistent/pgcdc-spill is not a writable directory")
        }
    }
}
