import Foundation
import PostgresCDCTesting
import TestSupport
import Testing
@testable import PostgresCDC

/// Failover across a host list against real primaries and standbys: pgcdc follows a promoted
/// standby by itself when the slot was synced to it, and refuses — never skips silently — when
/// continuing would lose or invent changes.
@Suite struct FailoverTests {
    /// PostgreSQL 18: primary + physical standby with `sync_replication_slots` and
    /// `synchronized_standby_slots`; a writer runs; the primary crashes and the standby is promoted.
    /// pgcdc, given both hosts, continues on the new primary, and its output — deduplicated by
    /// `(commit_lsn, seq)` — is exactly the rows of the surviving timeline. Then the old primary
    /// comes back, listed first: pgcdc skips it.
    @Test func aPromotedStandbyIsFollowedWithNothingLostAndTheOldPrimaryIsSkipped() throws {
        try Self.failoverRound(crashAfterRows: 2000, oldPrimaryComesBack: true)
    }

    /// The long fault run (`PGCDC_FAULT_RUNS=N swift test --filter FailoverTests`): N promotions,
    /// each of a fresh primary/standby pair, crashing the primary after a random number of rows.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["PGCDC_FAULT_RUNS"] != nil))
    func repeatedFailoversLoseNothing() throws {
        let rounds = Int(ProcessInfo.processInfo.environment["PGCDC_FAULT_RUNS"] ?? "") ?? 5
        for round in 1...max(1, rounds) {
            let rows = Int.random(in: 1...20_000)
            print("failover round \(round) of \(rounds): crash after \(rows) rows")
            try Self.failoverRound(crashAfterRows: rows, oldPrimaryComesBack: round % 2 == 0)
        }
    }

    static func failoverRound(crashAfterRows: Int, oldPrimaryComesBack: Bool) throws {
        let pair = try FailoverPair(
            postgres18: true, name: "failover", slot: false,
            standbySettings: ["sync_replication_slots": "on", "hot_standby_feedback": "on"])
        defer { pair.stop() }
        let (primary, standby, directory, path, dsn) = (pair.primary, pair.standby, pair.directory, pair.path, pair.dsn)
        let doctorArguments = [
            "doctor", "--dsn", "host=127.0.0.1,127.0.0.1 port=\(primary.port),\(standby.port) user=postgres dbname=app", "--slot", "s",
        ]
        let unready = try CLIProcess.run(doctorArguments, timeout: 60)
        #expect(unready.status == 2, "doctor: \(unready.stdout) \(unready.stderr)")
        #expect(unready.stdout.contains("does not name standby1"), "doctor: \(unready.stdout)")
        try primary.psql("ALTER SYSTEM SET synchronized_standby_slots = 'standby1'; SELECT pg_reload_conf();")
        let arguments = [
            "stream", "--dsn", dsn, "--slot", "s", "--create-slot", "--publication", "pub", "--sink", "file:\(path)",
            "--reconnect-max-delay", "0.5", "--status-interval", "0.2", "--server-timeout", "5",
        ]
        var process = try BackgroundProcess(arguments, stdoutPath: "\(directory)/out1", stderrPath: "\(directory)/err1")
        defer { process.signal(SIGKILL); _ = process.wait(timeout: 10) }
        let writer = TableWriter(dsn: primary.dsn(database: "app"), pauseMicroseconds: 2000)
        writer.start()
        // The standby's copy of the slot must be synced and persistent before the crash.
        let synced = eventually(timeout: 90) {
            (try? standby.psql("SELECT synced AND NOT temporary FROM pg_replication_slots WHERE slot_name = 's'")) == "t"
        }
        #expect(synced, "the slot was not synced to the standby; pgcdc stderr: \(process.stderr.suffix(2000))")
        let ready = try CLIProcess.run(doctorArguments, timeout: 60)
        #expect(ready.status == 0, "doctor: \(ready.stdout) \(ready.stderr)")
        #expect(!ready.stdout.contains("fail "), "doctor: \(ready.stdout)")
        _ = eventually(timeout: 60) { Self.lines(path).count > crashAfterRows }
        try primary.crash()
        _ = try? writer.stop()
        try standby.promote()
        try standby.psql("INSERT INTO crash (tx, n, note) VALUES (-1, 1, 'after the promotion')", database: "app")
        let followed = eventually(timeout: 90) { Self.lines(path).contains { $0.contains("after the promotion") } }
        #expect(followed, "stderr: \(process.stderr.suffix(3000))")
        #expect(process.stderr.contains("connection lost, reconnecting"))
        process.signal(SIGTERM)
        #expect(process.wait(timeout: 30) == 0, "stderr: \(process.stderr.suffix(2000))")
        try Self.expectExactly(path: path, rowsOf: standby)
        #expect(Self.lines(path).last?.contains("\"timeline\":2}") == true)

        // The old primary comes back on timeline 1, listed first: pgcdc does not stream from it.
        guard oldPrimaryComesBack else { return }
        try primary.start()
        process = try BackgroundProcess(arguments, stdoutPath: "\(directory)/out2", stderrPath: "\(directory)/err2")
        try standby.psql("INSERT INTO crash (tx, n, note) VALUES (-2, 1, 'after the old primary came back')", database: "app")
        let resumed = eventually(timeout: 60) { Self.lines(path).contains { $0.contains("after the old primary came back") } }
        #expect(resumed, "stderr: \(process.stderr.suffix(3000))")
        #expect(process.stderr.contains("skipping an old primary"), "stderr: \(process.stderr.suffix(3000))")
        #expect(try primary.psql("SELECT count(*) FROM pg_stat_replication WHERE application_name = 'pgcdc'") == "0")
        process.signal(SIGTERM)
        #expect(process.wait(timeout: 30) == 0, "stderr: \(process.stderr.suffix(2000))")
        try Self.expectExactly(path: path, rowsOf: standby)
    }

    /// PostgreSQL 18 without `synchronized_standby_slots`: pgcdc got changes the standby never
    /// received (it was down), the primary crashes and the standby is promoted. pgcdc refuses with
    /// the "never reached this new primary" error naming the LSN range, instead of skipping.
    @Test func aConsumerAheadOfThePromotedStandbyIsRefused() throws {
        let pair = try FailoverPair(postgres18: true, name: "ahead", slot: true)
        defer { pair.stop() }
        let (primary, standby, directory, path, dsn) = (pair.primary, pair.standby, pair.directory, pair.path, pair.dsn)
        let arguments = [
            "stream", "--dsn", dsn, "--slot", "s", "--publication", "pub", "--sink", "file:\(path)", "--status-interval", "0.2",
            "--on-empty-store", "continue",
        ]
        try primary.psql("INSERT INTO crash (tx, n, note) VALUES (1, 1, 'both have it')", database: "app")
        #expect(eventually(timeout: 30) { (try? standby.psql("SELECT count(*) FROM crash", database: "app")) == "1" })
        try standby.stopKeepingData()
        try primary.psql(
            "INSERT INTO crash (tx, n, note) SELECT 2, g, 'only the old primary has it' FROM generate_series(1, 10) g", database: "app")
        let process = try BackgroundProcess(arguments, stdoutPath: "\(directory)/out1", stderrPath: "\(directory)/err1")
        defer { process.signal(SIGKILL); _ = process.wait(timeout: 10) }
        #expect(eventually(timeout: 30) { Self.lines(path).filter { $0.contains("only the old primary") }.count == 10 })
        process.signal(SIGTERM)
        #expect(process.wait(timeout: 30) == 0)
        try primary.crash()
        try standby.start()
        try standby.promote()
        let refused = try CLIProcess.run(arguments, timeout: 60)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("were delivered but never reached this new primary"), "stderr: \(refused.stderr)")
        #expect(refused.stderr.contains("timeline 1 ended at"), "stderr: \(refused.stderr)")
    }

    /// PostgreSQL 15 has no failover slots: after a promotion the slot is missing. pgcdc refuses
    /// with the gap error; with `--on-gap resnapshot` it re-creates the slot and copies the table,
    /// so the file ends up holding every row of the new primary.
    @Test func aSlotLostInAPromotionIsRefusedOrResnapshotted() throws {
        let pair = try FailoverPair(postgres18: false, name: "pg15-gap", slot: true)
        defer { pair.stop() }
        let (primary, standby, directory, path, dsn) = (pair.primary, pair.standby, pair.directory, pair.path, pair.dsn)
        let arguments = [
            "stream", "--dsn", dsn, "--slot", "s", "--publication", "pub", "--sink", "file:\(path)", "--status-interval", "0.2",
            "--on-empty-store", "continue",
        ]
        try primary.psql("INSERT INTO crash (tx, n, note) SELECT 1, g, 'before' FROM generate_series(1, 5) g", database: "app")
        let process = try BackgroundProcess(arguments, stdoutPath: "\(directory)/out1", stderrPath: "\(directory)/err1")
        defer { process.signal(SIGKILL); _ = process.wait(timeout: 10) }
        #expect(eventually(timeout: 30) { Self.lines(path).filter { $0.contains("\"op\":\"insert\"") }.count == 5 })
        process.signal(SIGTERM)
        #expect(process.wait(timeout: 30) == 0)
        #expect(eventually(timeout: 30) { (try? standby.psql("SELECT count(*) FROM crash", database: "app")) == "5" })
        try primary.crash()
        try standby.promote()
        try standby.psql("INSERT INTO crash (tx, n, note) VALUES (2, 1, 'after the promotion')", database: "app")
        let refused = try CLIProcess.run(arguments, timeout: 60)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("replication slot \"s\" is missing on 127.0.0.1:\(standby.port)"), "stderr: \(refused.stderr)")
        #expect(refused.stderr.contains("--on-gap resnapshot"))

        let resnapshot = try BackgroundProcess(
            arguments + ["--on-gap", "resnapshot"], stdoutPath: "\(directory)/out2", stderrPath: "\(directory)/err2")
        defer { resnapshot.signal(SIGKILL); _ = resnapshot.wait(timeout: 10) }
        #expect(
            eventually(timeout: 60) { Self.lines(path).filter { $0.contains("\"op\":\"read\"") }.count == 6 },
            "stderr: \(resnapshot.stderr.suffix(2000))")
        resnapshot.signal(SIGTERM)
        #expect(resnapshot.wait(timeout: 30) == 0)
        let reads = Self.rows(path).filter { $0.kind == "read" }.map(\.id).sorted()
        let onServer = try standby.psql("SELECT id FROM crash ORDER BY id", database: "app").split(separator: "\n").compactMap { Int($0) }
        #expect(reads == onServer)
    }

    /// A host that accepts TCP connections but never answers is given up on after `connect_timeout`,
    /// and the next host of the list is used.
    @Test func aHostThatNeverAnswersIsPassedOver() throws {
        let (server, database) = try TestServer.freshDatabase()
        try server.psql(
            "CREATE TABLE t (id int PRIMARY KEY); CREATE PUBLICATION pub FOR TABLE t; INSERT INTO t VALUES (1);", database: database)
        let silent = try SilentListener()
        defer { silent.close() }
        let dsn = "host=127.0.0.1,127.0.0.1 port=\(silent.port),\(server.port) user=postgres dbname=\(database) connect_timeout=2"
        let started = ContinuousClock.now
        let result = try CLIProcess.run(
            [
                "stream", "--dsn", dsn, "--slot", "s_\(database)", "--temporary-slot", "--publication", "pub",
                "--snapshot", "initial-only",
            ], timeout: 60)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.lines.count == 2, "stdout: \(result.stdout)")
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(result.stderr.contains("127.0.0.1:\(silent.port)"), "stderr: \(result.stderr)")
    }

    // MARK: - Helpers

    static func directory(_ name: String) throws -> String {
        let directory = NSTemporaryDirectory() + "pgcdc-\(name)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    static func lines(_ path: String) -> [Substring] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n")
    }

    /// Each line's kind, row id and `(commit_lsn, seq)`.
    static func rows(_ path: String) -> [(kind: String, id: Int, key: String)] {
        lines(path).compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let kind = object["op"] as? String,
                let id = (object["new"] as? [String: Any])?["id"] as? Int
            else { return nil }
            return (kind, id, "\(object["commit_lsn"] ?? "?")/\(object["seq"] ?? "?")")
        }
    }

    /// The file, deduplicated by `(commit_lsn, seq)`, holds each row of `server`'s table exactly once.
    static func expectExactly(path: String, rowsOf server: LocalPostgresServer, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var seen = Set<String>()
        var ids: [Int] = []
        for row in rows(path) where seen.insert(row.key).inserted {
            ids.append(row.id)
        }
        let onServer = try server.psql("SELECT id FROM crash ORDER BY id", database: "app").split(separator: "\n").compactMap { Int($0) }
        #expect(ids.count == Set(ids).count, "a row appears under two positions", sourceLocation: sourceLocation)
        #expect(ids.sorted() == onServer, "file: \(ids.count) rows, server: \(onServer.count)", sourceLocation: sourceLocation)
    }
}

/// A primary (database `app` with TableWriter's `crash` table, publication `pub`, and with `slot`
/// a pgoutput slot `s`), a physical standby of it (slot `standby1`), and a scratch directory.
final class FailoverPair {
    let primary: LocalPostgresServer
    let standby: LocalPostgresServer
    let directory: String
    /// The file sink's file.
    var path: String { "\(directory)/changes.jsonl" }
    /// Both hosts, the primary first.
    var dsn: String { "host=127.0.0.1,127.0.0.1 port=\(primary.port),\(standby.port) user=postgres dbname=app connect_timeout=2" }

    init(postgres18: Bool, name: String, slot: Bool, standbySettings: [String: String] = [:]) throws {
        let setup =
            TableWriter.schema + "CREATE PUBLICATION pub FOR TABLE crash;"
            + (slot ? " SELECT pg_create_logical_replication_slot('s', 'pgoutput');" : "")
        primary = try TestServer.own(postgres18: postgres18, setup: setup)
        do {
            standby = try primary.startStandby(slot: "standby1", extraSettings: standbySettings)
        } catch {
            primary.stop()
            throw error
        }
        do {
            directory = try FailoverTests.directory(name)
        } catch {
            standby.stop()
            primary.stop()
            throw error
        }
    }

    func stop() {
        standby.stop()
        primary.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A TCP socket on 127.0.0.1 that completes connections (the kernel does, from the backlog) but
/// never reads or answers: a server frozen before it accepts.
final class SilentListener {
    let port: Int
    private var descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard descriptor >= 0, bound, listen(descriptor, 16) == 0 else {
            if descriptor >= 0 { Glibc.close(descriptor) }
            throw POSIXError(.EADDRINUSE)
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }
}
