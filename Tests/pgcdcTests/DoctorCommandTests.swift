import Foundation
import TestSupport
import Testing
@testable import PostgresCDC

/// `pgcdc doctor` against real servers: the failover contract per host, its output and its exit codes.
@Suite struct DoctorCommandTests {
    /// The first line of the table `level  host  role  check  detail` with that level and check.
    static func line(_ result: CLIResult, _ level: String, _ check: String) -> String? {
        result.lines.first { line in
            let columns = line.split(separator: " ", maxSplits: 4).map(String.init)
            return columns.count == 5 && columns[0] == level && columns[3] == check
        }
    }

    /// The host and role columns of a table line.
    static func hostAndRole(_ line: String?) -> [String] {
        Array((line ?? "").split(separator: " ").dropFirst().prefix(2).map(String.init))
    }

    @Test func postgres15IsWarnedThatFailoverSlotsNeedPostgres17AndPasses() throws {
        let (server, database) = try TestServer.freshDatabase()
        let result = try CLIProcess.run(["doctor", "--dsn", server.dsn(database: database)])
        #expect(result.status == 0, "stdout: \(result.stdout) stderr: \(result.stderr)")
        let warning = Self.line(result, "warn", "version") ?? ""
        #expect(warning.contains("failover slots need PostgreSQL 17+: after a promotion the slot is missing"), "\(result.stdout)")
        #expect(Self.hostAndRole(warning) == ["127.0.0.1:\(server.port)", "primary"], "\(result.stdout)")
        #expect(Self.line(result, "ok", "wal_level")?.hasSuffix("logical") == true, "\(result.stdout)")
        #expect(result.lines.last?.hasPrefix("1 host: ") == true, "\(result.stdout)")
    }

    @Test func postgres18FailoverSlotPassesAndANonFailoverSlotFailsNamingIt() throws {
        let (server, database) = try TestServer.freshDatabase18()
        let failover = "fo_\(database)", plain = "nofo_\(database)"
        try server.psql(
            """
            SELECT pg_create_logical_replication_slot('\(failover)', 'pgoutput', false, false, true);
            SELECT pg_create_logical_replication_slot('\(plain)', 'pgoutput', false, false, false);
            """, database: database)
        defer {
            _ = try? server.psql(
                "SELECT pg_drop_replication_slot('\(failover)'); SELECT pg_drop_replication_slot('\(plain)');", database: database)
        }

        let good = try CLIProcess.run(["doctor", "--dsn", server.dsn(database: database), "--slot", failover])
        #expect(good.status == 0, "stdout: \(good.stdout) stderr: \(good.stderr)")
        #expect(Self.line(good, "ok", "failover")?.contains("\(failover) is a failover slot") == true, "\(good.stdout)")
        #expect(
            Self.line(good, "ok", "slot")?.contains("\(failover): logical, pgoutput, database \(database), valid") == true, "\(good.stdout)"
        )
        #expect(Self.line(good, "warn", "standbys")?.hasSuffix("no standby connected: nothing to fail over to") == true, "\(good.stdout)")
        #expect(Self.line(good, "ok", "version")?.contains("PostgreSQL 18.") == true, "\(good.stdout)")

        let bad = try CLIProcess.run(["doctor", "--dsn", server.dsn(database: database), "--slot", plain])
        #expect(bad.status == 2, "stdout: \(bad.stdout) stderr: \(bad.stderr)")
        let failure = Self.line(bad, "fail", "failover") ?? ""
        #expect(failure.contains("\(plain) is not a failover slot"), "\(bad.stdout)")
        #expect(failure.contains("ALTER_REPLICATION_SLOT \(plain) (FAILOVER true)"), "\(bad.stdout)")
        #expect(bad.lines.last?.hasSuffix("1 fail") == true, "\(bad.stdout)")

        let missing = try CLIProcess.run(["doctor", "--dsn", server.dsn(database: database), "--slot", "nope_\(database)"])
        #expect(missing.status == 2)
        #expect(
            Self.line(missing, "fail", "slot")?.contains("nope_\(database) does not exist on this primary") == true, "\(missing.stdout)")
    }

    @Test func anUnreachableHostIsAFailureAndTheOtherHostsAreStillChecked() throws {
        let (server, database) = try TestServer.freshDatabase()
        let dsn = "host=127.0.0.1,127.0.0.1 port=\(server.port),1 user=postgres dbname=\(database)"
        let result = try CLIProcess.run(["doctor", "--dsn", dsn])
        #expect(result.status == 2, "stdout: \(result.stdout) stderr: \(result.stderr)")
        let unreachable = Self.line(result, "fail", "connect") ?? ""
        #expect(Self.hostAndRole(unreachable) == ["127.0.0.1:1", "-"], "\(result.stdout)")
        #expect(unreachable.contains("cannot connect: "), "\(result.stdout)")
        #expect(unreachable.lowercased().contains("refused"), "libpq's message: \(unreachable)")
        #expect(Self.hostAndRole(Self.line(result, "ok", "wal_level")) == ["127.0.0.1:\(server.port)", "primary"], "\(result.stdout)")
        #expect(result.lines.last?.hasPrefix("2 hosts: ") == true, "\(result.stdout)")
    }

    @Test func jsonPrintsOneObjectPerFindingAndLine() throws {
        let (server, database) = try TestServer.freshDatabase18()
        let dsn = "host=127.0.0.1,127.0.0.1 port=\(server.port),1 user=postgres dbname=\(database)"
        let result = try CLIProcess.run(["doctor", "--dsn", dsn, "--json"])
        #expect(result.status == 2, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(result.lines.count >= 4, "\(result.stdout)")
        var objects: [[String: Any]] = []
        for line in result.lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "not a JSON object: \(line)")
            if let object { objects.append(object) }
        }
        #expect(
            objects.allSatisfy {
                ["ok", "warn", "fail"].contains($0["level"] as? String ?? "") && $0["check"] is String && $0["detail"] is String
            })
        let unreachable = objects.first { $0["host"] as? String == "127.0.0.1:1" }
        #expect(unreachable?["level"] as? String == "fail")
        #expect(unreachable?["role"] is NSNull)
        #expect(
            objects.contains {
                $0["check"] as? String == "wal_level" && $0["role"] as? String == "primary" && $0["level"] as? String == "ok"
            })
    }

    @Test func withoutADSNItIsAUsageError() throws {
        let result = try CLIProcess.run(["doctor"])
        #expect(result.status == 64, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("--dsn is required"))
    }

    @Test func aHostReachedWithoutTLSIsWarnedAbout() throws {
        let (server, database) = try TestServer.freshDatabase()
        let result = try CLIProcess.run(["doctor", "--dsn", server.dsn(database: database)])
        #expect(result.status == 0, "stdout: \(result.stdout) stderr: \(result.stderr)")
        let warning = Self.line(result, "warn", "tls") ?? ""
        #expect(warning.contains("not encrypted: plain TCP (sslmode=prefer)"), "\(result.stdout)")
        #expect(warning.contains("sslmode=verify-full sslrootcert=CA-FILE"), "\(result.stdout)")
        #expect(Self.hostAndRole(warning) == ["127.0.0.1:\(server.port)", "primary"], "\(result.stdout)")
    }

    @Test func aHostReachedWithVerifiedTLSReportsTheProtocolAndCipher() throws {
        let (server, database) = try TestServer.freshDatabaseTLS()
        let certificates = try TestCertificates.shared()
        let verified =
            "host=localhost hostaddr=127.0.0.1 port=\(server.port) user=postgres dbname=\(database) sslmode=verify-full "
            + "sslrootcert=\(certificates.authority)"
        let result = try CLIProcess.run(["doctor", "--dsn", verified])
        #expect(result.status == 0, "stdout: \(result.stdout) stderr: \(result.stderr)")
        let line = Self.line(result, "ok", "tls") ?? ""
        #expect(line.contains("encrypted (TLSv1."), "\(result.stdout)")
        #expect(line.contains("server certificate verified (sslmode=verify-full)"), "\(result.stdout)")

        // Encrypted, but sslmode=prefer (libpq's default) would have taken any certificate, or none.
        let unverified = try CLIProcess.run(["doctor", "--dsn", server.dsn(database: database)])
        #expect(Self.line(unverified, "warn", "tls")?.contains("but sslmode=prefer does not check") == true, "\(unverified.stdout)")
    }
}
