import Foundation
import PostgresCDCTesting
import TestSupport
import Testing
@testable import PostgresCDC

/// `pgcdc stream` over TLS against a server with `ssl = on` and a throwaway CA (``TestCertificates``):
/// `sslmode=verify-full` streams; a wrong host name or an untrusted certificate fails naming the host
/// and the reason; a client certificate authenticates, for the snapshot's connections too.
@Suite struct TLSTests {
    struct Setup {
        var server: LocalPostgresServer
        var database: String
        var certificates: TestCertificates
        var slot: String { "slot_\(database)" }

        /// A DSN that connects to the server's address but verifies the certificate against `host`.
        func dsn(host: String = "localhost", rootCertificate: String? = nil, extra: String = "") -> String {
            "host=\(host) hostaddr=127.0.0.1 port=\(server.port) user=postgres dbname=\(database) sslmode=verify-full "
                + "sslrootcert=\(rootCertificate ?? certificates.authority)" + (extra.isEmpty ? "" : " " + extra)
        }

        func stream(_ dsn: String, _ extra: [String]) throws -> CLIResult {
            try CLIProcess.run(["stream", "--dsn", dsn, "--slot", slot, "--publication", "pub"] + extra)
        }
    }

    static func setUp() throws -> Setup {
        let (server, database) = try TestServer.freshDatabaseTLS()
        try server.psql(
            """
            CREATE TABLE t (id int PRIMARY KEY, v text);
            CREATE PUBLICATION pub FOR TABLE t;
            SELECT pg_create_logical_replication_slot('slot_\(database)', 'pgoutput');
            """, database: database)
        return Setup(server: server, database: database, certificates: try TestCertificates.shared())
    }

    @Test func verifyFullWithTheRightCAStreamsTheChanges() throws {
        let setup = try Self.setUp()
        let end = try setup.server.psql(
            "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 3) g; SELECT pg_current_wal_insert_lsn();", database: setup.database)
        let result = try setup.stream(setup.dsn(), ["--end-lsn", end])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.lines.filter { $0.contains(#""op":"insert""#) }.count == 3, "stdout: \(result.stdout)")
    }

    @Test func aHostNameTheCertificateDoesNotNameFailsNamingTheHostAndTheReason() throws {
        let setup = try Self.setUp()
        let result = try setup.stream(setup.dsn(host: "db.example.invalid", extra: "password=s3cret-pw"), ["--end-lsn", "0/1"])
        #expect(result.status == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("db.example.invalid"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("does not match host name \"db.example.invalid\""), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("sslmode=verify-full"), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("s3cret-pw"), "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func aServerCertificateFromAnUntrustedCAFailsClearly() throws {
        let setup = try Self.setUp()
        let result = try setup.stream(setup.dsn(rootCertificate: setup.certificates.otherAuthority), ["--end-lsn", "0/1"])
        #expect(result.status == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("localhost"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("certificate verify failed"), "stderr: \(result.stderr)")
        #expect(
            result.stderr.contains("not signed by a CA in sslrootcert \(setup.certificates.otherAuthority)"), "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func aClientCertificateAuthenticatesEveryConnectionASnapshotAndAStreamOpen() throws {
        let certificates = try TestCertificates.shared()
        let server = try TestServer.tlsServer()
        let setup = Setup(server: server, database: TestServer.clientCertificateDatabase, certificates: certificates)
        let withCertificate = setup.dsn(extra: "sslcert=\(certificates.clientCertificate) sslkey=\(certificates.clientKey)")

        // The database admits only client certificates (hostssl … cert), psql included: set up through the library.
        let connection = try PostgresConnection(dsn: withCertificate, replication: false)
        defer { connection.close() }
        try connection.query(
            """
            CREATE TABLE t (id int PRIMARY KEY, v text);
            INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 40) g;
            CREATE PUBLICATION pub FOR TABLE t;
            """)

        let snapshot = try setup.stream(withCertificate, ["--create-slot", "--snapshot", "initial-only", "--snapshot-jobs", "2"])
        #expect(snapshot.status == 0, "stderr: \(snapshot.stderr)")
        #expect(snapshot.lines.filter { $0.contains(#""op":"read""#) }.count == 40, "stdout: \(snapshot.stdout)")

        try connection.query("SELECT pg_create_logical_replication_slot('\(setup.slot)', 'pgoutput')")
        defer { _ = try? connection.query("SELECT pg_drop_replication_slot('\(setup.slot)')") }
        try connection.query("INSERT INTO t VALUES (41, 'new'), (42, 'new')")
        let end = try connection.query("SELECT pg_current_wal_insert_lsn() AS lsn").value(0, "lsn") ?? "0/0"
        let streamed = try setup.stream(withCertificate, ["--end-lsn", end])
        #expect(streamed.status == 0, "stderr: \(streamed.stderr)")
        #expect(streamed.lines.filter { $0.contains(#""op":"insert""#) }.count == 2, "stdout: \(streamed.stdout)")

        let without = try setup.stream(setup.dsn(), ["--end-lsn", end])
        #expect(without.status == 1, "stderr: \(without.stderr)")
        #expect(without.stderr.contains("certificate"), "stderr: \(without.stderr)")
    }
}
