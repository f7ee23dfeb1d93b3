import Foundation
import PostgresCDCTesting
import TestSupport
import Testing
@testable import PostgresCDC
@testable import PostgresCDCNATS

/// The NATS sink over TLS against a real `nats-server` with a certificate of the test CA
/// (``TestCertificates``): the right CA connects, another CA fails clearly, and a server that
/// verifies clients takes the client certificate (and refuses a client without one).
@Suite struct NATSTLSTests {
    static func server(verifyingClients: Bool) throws -> NATSTestServer {
        let certificates = try TestCertificates.shared()
        var arguments = ["--tlscert", certificates.serverCertificate, "--tlskey", certificates.serverKey]
        arguments += verifyingClients ? ["--tlsverify", "--tlscacert", certificates.authority] : ["--tls"]
        return try NATSTestServer(extraArguments: arguments)
    }

    static func sink(_ nats: NATSTestServer, trusting authority: String, clientCertificate: Bool = false) throws -> NATSSink {
        let certificates = try TestCertificates.shared()
        var configuration = NATSSink.Configuration(servers: [nats.url], stream: "CDC")
        configuration.createStream = true
        configuration.trustedCertificates = authority
        if clientCertificate {
            configuration.clientCertificate = certificates.clientCertificate
            configuration.clientKey = certificates.clientKey
        }
        return NATSSink(configuration: configuration)
    }

    @Test func theRightCAConnectsAndAnotherCAFailsNamingTheServerAndTheReason() throws {
        let nats = try Self.server(verifyingClients: false)
        let certificates = try TestCertificates.shared()

        let trusted = try Self.sink(nats, trusting: certificates.authority)
        _ = try trusted.open()
        try trusted.close()

        let untrusted = try Self.sink(nats, trusting: certificates.otherAuthority)
        let error = #expect(throws: SinkError.self) { _ = try untrusted.open() }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("127.0.0.1:\(nats.port)"), "\(text)")
        #expect(text.contains("SSL handshake error"), "\(text)")
        #expect(text.contains("does not chain to a CA in \(certificates.otherAuthority)"), "\(text)")
    }

    @Test func aServerThatVerifiesClientsTakesTheClientCertificateAndRefusesAClientWithout() throws {
        let nats = try Self.server(verifyingClients: true)
        let certificates = try TestCertificates.shared()

        let withCertificate = try Self.sink(nats, trusting: certificates.authority, clientCertificate: true)
        _ = try withCertificate.open()
        try withCertificate.close()

        let without = try Self.sink(nats, trusting: certificates.authority)
        #expect(throws: SinkError.self) { _ = try without.open() }
    }

    @Test func streamPublishesOverTLSWithAClientCertificate() throws {
        let nats = try Self.server(verifyingClients: true)
        let certificates = try TestCertificates.shared()
        let (server, database) = try TestServer.freshDatabase()
        let end =
            try server.psql(
                """
                CREATE TABLE a (id int PRIMARY KEY);
                CREATE PUBLICATION pub FOR TABLE a;
                SELECT pg_create_logical_replication_slot('slot_\(database)', 'pgoutput');
                INSERT INTO a SELECT generate_series(1, 5);
                SELECT pg_current_wal_insert_lsn();
                """, database: database
            ).split(separator: "\n").last.map(String.init) ?? ""
        let tls = [
            "--nats-tls-ca", certificates.authority, "--nats-tls-cert", certificates.clientCertificate,
            "--nats-tls-key", certificates.clientKey,
        ]
        let result = try CLIProcess.run(
            [
                "stream", "--dsn", server.dsn(database: database), "--slot", "slot_\(database)", "--publication", "pub",
                "--sink", nats.url, "--nats-stream", "CDC", "--nats-create-stream", "--end-lsn", end,
            ] + tls)
        #expect(result.status == 0, "stderr: \(result.stderr)")

        let halfPair = try CLIProcess.run(
            [
                "stream", "--dsn", server.dsn(database: database), "--slot", "slot_\(database)", "--publication", "pub",
                "--sink", nats.url, "--nats-stream", "CDC", "--nats-tls-cert", certificates.clientCertificate,
            ])
        #expect(halfPair.status != 0)
        #expect(halfPair.stderr.contains("--nats-tls-cert and --nats-tls-key go together"), "\(halfPair.stderr)")
    }
}

extension NATSTLSTests {
    /// libnats checks the server's certificate against the URL's host: a server reached at an
    /// address its certificate does not name (127.0.0.2; the certificate names localhost and
    /// 127.0.0.1) fails, and the error says that rather than blaming the CA.
    @Test func aHostTheCertificateDoesNotNameFailsSayingSo() throws {
        let certificates = try TestCertificates.shared()
        let nats = try NATSTestServer(
            extraArguments: ["--tlscert", certificates.serverCertificate, "--tlskey", certificates.serverKey, "--tls"], host: "127.0.0.2")
        let sink = try Self.sink(nats, trusting: certificates.authority)
        let error = #expect(throws: SinkError.self) { _ = try sink.open() }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("127.0.0.2:\(nats.port)"), "\(text)")
        #expect(text.contains("IP address mismatch"), "\(text)")
        #expect(text.contains("does not name the host of the server URL"), "\(text)")
    }
}
