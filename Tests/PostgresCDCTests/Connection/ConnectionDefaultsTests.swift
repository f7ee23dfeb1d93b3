import Foundation
import TestSupport
import Testing
@testable import PostgresCDC
@testable import PostgresCDCConnection

/// pgcdc's connection defaults (primary only, timeouts, keepalives) apply unless the DSN or
/// libpq's environment says otherwise; several hosts are tried in order. Serialized: one test sets an
/// environment variable that the others would see.
@Suite(.serialized) struct ConnectionDefaultsTests {
    @Test func defaultsApplyAndTheDSNOverridesThem() throws {
        let (server, database) = try TestServer.freshDatabase()
        let plain = try PostgresConnection(dsn: server.dsn(database: database), replication: true)
        defer { plain.close() }
        #expect(plain.option("target_session_attrs") == "primary")
        #expect(plain.option("connect_timeout") == "10")
        #expect(plain.option("keepalives_idle") == "10")
        #expect(plain.option("tcp_user_timeout") == "30000")

        let keywords = try PostgresConnection(
            dsn: server.dsn(database: database) + " target_session_attrs=any connect_timeout=3", replication: false)
        defer { keywords.close() }
        #expect(keywords.option("target_session_attrs") == "any")
        #expect(keywords.option("connect_timeout") == "3")
        #expect(keywords.option("tcp_user_timeout") == "30000")

        let uri = try PostgresConnection(
            dsn: "postgresql://postgres@127.0.0.1:\(server.port)/\(database)?target_session_attrs=read-write&keepalives_idle=42",
            replication: false)
        defer { uri.close() }
        #expect(uri.option("target_session_attrs") == "read-write")
        #expect(uri.option("keepalives_idle") == "42")
    }

    @Test func anEnvironmentVariableWinsOverThePgcdcDefault() throws {
        let (server, database) = try TestServer.freshDatabase()
        setenv("PGCONNECT_TIMEOUT", "17", 1)
        defer { unsetenv("PGCONNECT_TIMEOUT") }
        let connection = try PostgresConnection(dsn: server.dsn(database: database), replication: false)
        defer { connection.close() }
        #expect(connection.option("connect_timeout") == "17")
    }

    @Test func hostsAreTriedInOrderUntilOneAnswers() throws {
        let (server, database) = try TestServer.freshDatabase()
        let dsn = "host=127.0.0.1,127.0.0.1 port=1,\(server.port) user=postgres dbname=\(database)"
        let connection = try PostgresConnection(dsn: dsn, replication: true)
        defer { connection.close() }
        #expect(connection.serverAddress == "127.0.0.1:\(server.port)")
        #expect {
            _ = try PostgresConnection(dsn: "host=127.0.0.1,127.0.0.1 port=1,2 user=postgres dbname=\(database)", replication: true)
        } throws: { error in
            "\(error)".contains("port 1 failed") && "\(error)".contains("port 2 failed")
        }
    }
}
