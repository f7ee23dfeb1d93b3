import Foundation
import Logging
import Testing
@testable import PostgresCDC

/// `two_phase`: prepared transactions arrive at PREPARE; pgcdc keeps them on disk and hands them
/// out at COMMIT PREPARED — the same lines as without two-phase, plus the gid — and never at
/// ROLLBACK PREPARED; what is kept survives a restart (the server does not send it again).
@Suite struct TwoPhaseTests {
    static let setup = """
        CREATE TABLE t (id int PRIMARY KEY, v text);
        CREATE PUBLICATION pub FOR TABLE t;
        """

    static func directory() -> String {
        NSTemporaryDirectory() + "pgcdc-2pc-" + UUID().uuidString
    }

    static func twoPhase(_ configuration: StreamConfiguration, directory: String, streaming: StreamingMode = .off) -> StreamConfiguration {
        var configuration = configuration
        configuration.slot += "_2pc"
        configuration.twoPhase = true
        configuration.preparedTransactionsDirectory = directory
        configuration.streaming = streaming
        return configuration
    }

    /// The line without its `"gid":"…"` field.
    static func withoutGID(_ line: String) -> String {
        line.replacingOccurrences(of: #","gid":"[^"]*""#, with: "", options: .regularExpression)
    }

    /// PostgreSQL 15 without and with streaming (Begin Prepare … Prepare, Stream Prepare), and 18
    /// with parallel streaming.
    @Test(arguments: [(StreamingMode.off, false), (.on, false), (.parallel, true)])
    func preparedTransactionsAreHandedOutAtCommitPreparedAndNeverAtRollback(streaming: StreamingMode, postgres18: Bool) throws {
        let fixture = try StreamFixture.make(setup: Self.setup, postgres18: postgres18)
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var plainConfiguration = fixture.configuration()
        plainConfiguration.includeTransactionEvents = true
        let plain = try ReplicationSession(configuration: plainConfiguration, logger: Logger(label: "test"))
        defer { plain.close() }
        let twoPhase = try ReplicationSession(
            configuration: Self.twoPhase(plainConfiguration, directory: directory, streaming: streaming), logger: Logger(label: "test"))
        defer { twoPhase.close() }
        // gids are cluster-wide: the test cases share a server and run at the same time.
        let g1 = "g1_" + fixture.database, g2 = "g2_" + fixture.database
        try fixture.server.psql(
            """
            BEGIN; INSERT INTO t SELECT g, 'prepared ' || g FROM generate_series(1, 3000) g; PREPARE TRANSACTION '\(g1)';
            INSERT INTO t VALUES (5001, 'committed while g1 waits');
            BEGIN; INSERT INTO t VALUES (6001, 'rolled back'); PREPARE TRANSACTION '\(g2)';
            COMMIT PREPARED '\(g1)';
            ROLLBACK PREPARED '\(g2)';
            INSERT INTO t VALUES (7001, 'last');
            """, database: fixture.database)
        try fixture.stop(plain)
        try fixture.stop(twoPhase)
        let expected = try fixture.drain(plain, timeout: .seconds(60))
        let got = try fixture.drain(twoPhase, timeout: .seconds(60))
        #expect(got.lines.count == expected.lines.count)
        #expect(got.lines.map(Self.withoutGID) == expected.lines, "the same lines as without two-phase, but for the gid")
        let gids = Set(got.objects.compactMap { $0["gid"] as? String })
        #expect(gids == [g1])
        #expect(got.objects.filter { $0["gid"] as? String == g1 }.count == 3002)
        #expect(!got.lines.contains { $0.contains("rolled back") })
        // Both decisions are confirmed: nothing is left on disk.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    @Test func aPreparedTransactionSurvivesARestartAndIsHandedOutAtItsCommit() throws {
        let fixture = try StreamFixture.make(setup: Self.setup)
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = Self.twoPhase(fixture.configuration(), directory: directory)
        do {
            let first = try ReplicationSession(configuration: configuration, logger: Logger(label: "test"))
            defer { first.close() }
            try fixture.server.psql(
                "BEGIN; INSERT INTO t VALUES (1, 'prepared before the restart'); PREPARE TRANSACTION 'across';", database: fixture.database)
            try fixture.stop(first)
            let before = try fixture.drain(first, timeout: .seconds(60))
            #expect(before.lines.isEmpty)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).count == 1)
        // The slot has confirmed past the PREPARE; the server will send only the COMMIT PREPARED.
        try fixture.server.psql("COMMIT PREPARED 'across'", database: fixture.database)
        let second = try ReplicationSession(configuration: configuration, logger: Logger(label: "test"))
        defer { second.close() }
        try fixture.stop(second)
        let after = try fixture.drain(second, timeout: .seconds(60))
        #expect(after.objects.count == 1)
        #expect(after.objects.first?["gid"] as? String == "across")
        #expect((after.objects.first?["new"] as? [String: Any])?["v"] as? String == "prepared before the restart")
    }

    @Test func aCommitPreparedWhoseChangesWereLostIsAnErrorNotASilentSkip() throws {
        let fixture = try StreamFixture.make(setup: Self.setup)
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = Self.twoPhase(fixture.configuration(), directory: directory)
        do {
            let first = try ReplicationSession(configuration: configuration, logger: Logger(label: "test"))
            defer { first.close() }
            try fixture.server.psql("BEGIN; INSERT INTO t VALUES (1, 'x'); PREPARE TRANSACTION 'lost';", database: fixture.database)
            try fixture.stop(first)
            _ = try fixture.drain(first, timeout: .seconds(60))
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            try FileManager.default.removeItem(atPath: directory + "/" + name)
        }
        try fixture.server.psql("COMMIT PREPARED 'lost'", database: fixture.database)
        let second = try ReplicationSession(configuration: configuration, logger: Logger(label: "test"))
        defer { second.close() }
        try fixture.stop(second)
        #expect {
            _ = try fixture.drain(second, timeout: .seconds(60))
        } throws: { error in
            "\(error)".contains("Commit Prepared of gid \"lost\"") && "\(error)".contains("not in \(directory)")
        }
    }

    @Test func aSlotThatDecodesPreparedTransactionsIsRefusedWithoutTwoPhase() throws {
        let fixture = try StreamFixture.make(setup: Self.setup)
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = Self.twoPhase(fixture.configuration(), directory: directory)
        do {
            let first = try ReplicationSession(configuration: configuration, logger: Logger(label: "test"))
            first.close()
        }
        configuration.twoPhase = false
        #expect {
            _ = try ReplicationSession(configuration: configuration, logger: Logger(label: "test"))
        } throws: { error in
            "\(error)".contains("has two-phase decoding enabled") && "\(error)".contains("use twoPhase = true")
        }
    }
}
