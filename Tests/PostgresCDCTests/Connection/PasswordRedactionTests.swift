import Foundation
import Logging
import PostgresCDCTesting
import TestSupport
import Testing
@testable import PostgresCDC
@testable import PostgresCDCConnection

/// No error, log line or description of the library repeats a password of the DSN (issue 16,
/// defect 5): a ChangeStream, the PostgreSQL checkpoint store, slot status, and a multi-host DSN,
/// each with the password in keyword and in URI form.
@Suite struct PasswordRedactionTests {
    static let password = "s3cretXYZ"

    /// DSNs that reach no server: a closed port, in keyword, URI and multi-host form.
    static let unreachable = [
        "host=127.0.0.1 port=1 user=u password=\(password) dbname=d connect_timeout=2",
        "postgresql://u:\(password)@127.0.0.1:1/d?connect_timeout=2",
        "host=127.0.0.1,localhost port=1,1 user=u password=\(password) dbname=d connect_timeout=2",
        "postgresql://u:\(password)@127.0.0.1:1,localhost:1/d?connect_timeout=2",
    ]

    /// The test server's database with a password in keyword and in URI form (the server trusts
    /// local connections, so the password is sent nowhere but must still not be shown).
    static func reachable(_ server: LocalPostgresServer, database: String) -> [String] {
        [
            server.dsn(database: database) + " password=\(password)",
            "postgresql://postgres:\(password)@\(server.host):\(server.port)/\(database)",
        ]
    }

    static func expectNoPassword(_ text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!text.contains(password), "\(what) shows the password: \(text)", sourceLocation: sourceLocation)
    }

    @Test func aChangeStreamThatCannotConnectNeitherThrowsNorLogsThePassword() async throws {
        for dsn in Self.unreachable {
            let messages = RecordingLogHandler.Messages()
            var configuration = StreamConfiguration(dsn: dsn, slot: "s", publication: "p")
            configuration.createSlot = true
            let stream = ChangeStream(configuration: configuration, reconnect: nil, logger: RecordingLogHandler.logger(into: messages))
            var iterator = stream.makeAsyncIterator()
            do {
                _ = try await iterator.next()
                Issue.record("streamed from \(dsn)")
            } catch {
                Self.expectNoPassword("\(error)", "the error")
                Self.expectNoPassword(String(reflecting: error), "the error's debug description")
            }
            await stream.close()
            Self.expectNoPassword(messages.lines.joined(separator: "\n"), "the log")
        }
    }

    @Test func aChangeStreamThatStreamsLogsNoPasswordAtTraceLevel() async throws {
        let fixture = try StreamFixture.make(setup: "CREATE TABLE t (id int PRIMARY KEY); CREATE PUBLICATION pub FOR TABLE t;")
        for (index, dsn) in Self.reachable(fixture.server, database: fixture.database).enumerated() {
            let messages = RecordingLogHandler.Messages()
            var logger = RecordingLogHandler.logger(into: messages)
            logger.logLevel = .trace
            var configuration = fixture.configuration()
            configuration.dsn = dsn
            configuration.slot = "\(fixture.slot)_\(index)"
            let stream = ChangeStream(configuration: configuration, logger: logger)
            var iterator = stream.makeAsyncIterator()
            try await ChangeStreamTests.waitUntilConnected(stream)
            try fixture.server.psql("INSERT INTO t VALUES (\(index))", database: fixture.database)
            while let event = try await iterator.next() {
                if case .commit = event { break }
            }
            await stream.close()
            #expect(!messages.lines.isEmpty)
            Self.expectNoPassword(messages.lines.joined(separator: "\n"), "the log")
        }
    }

    @Test func theCheckpointStoreReportsAFailedConnectionWithoutThePassword() throws {
        for dsn in Self.unreachable {
            let store = PostgresCheckpointStore(dsn: dsn, slot: "s")
            do {
                try store.prepare()
                Issue.record("prepared a store at \(dsn)")
            } catch {
                Self.expectNoPassword("\(error)", "the error")
            }
        }
        // A server that answers, a database that does not exist.
        let (server, _) = try TestServer.freshDatabase()
        for dsn in Self.reachable(server, database: "no_such_database") {
            #expect(throws: (any Error).self) { try PostgresCheckpointStore(dsn: dsn, slot: "s").load() }
            do {
                _ = try PostgresCheckpointStore(dsn: dsn, slot: "s").load()
            } catch {
                #expect("\(error)".contains("no_such_database"), "\(error)")
                Self.expectNoPassword("\(error)", "the error")
            }
        }
    }

    @Test func aWrongRoleIsReportedWithoutThePassword() throws {
        let (server, database) = try TestServer.freshDatabase()
        let dsns = [
            "host=\(server.host) port=\(server.port) dbname=\(database) user=no_such_role password=\(Self.password)",
            "postgresql://no_such_role:\(Self.password)@\(server.host):\(server.port)/\(database)",
        ]
        for dsn in dsns {
            do {
                _ = try ReplicationSlots.status("s", dsn: dsn)
                Issue.record("connected as a role that does not exist")
            } catch {
                #expect("\(error)".contains("no_such_role"), "\(error)")
                Self.expectNoPassword("\(error)", "the error")
            }
        }
    }

    @Test func errorsNamingTheHostsOfAMultiHostDSNCarryNoPassword() {
        for dsn in Self.unreachable {
            #expect(!PostgresConnection.describeHosts(dsn: dsn).contains(Self.password))
            for host in HostList(dsn: dsn)?.hosts ?? [] {
                Self.expectNoPassword(host.description, "the host")
            }
            do {
                _ = try ReplicationSlots.list(dsn: dsn)
                Issue.record("listed slots at \(dsn)")
            } catch {
                Self.expectNoPassword("\(error)", "the error")
            }
        }
    }

    @Test func aConfigurationDescribesItselfWithoutThePassword() {
        for dsn in Self.unreachable + ["postgresql://u:s3cret%58YZ@db/app", "postgresql://u@db/app?password=\(Self.password)"] {
            let configuration = StreamConfiguration(dsn: dsn, slot: "s", publication: "p")
            Self.expectNoPassword("\(configuration)", "the description")
            Self.expectNoPassword(String(reflecting: configuration), "the debug description")
            #expect("\(configuration)".contains("slot: \"s\""))
        }
    }

    @Test func libpqsReadingOfThePasswordIsRedactedToo() {
        #expect(DSNSecrets.passwords(in: "postgresql://u:s3cret%58YZ@db/app").contains(Self.password))
        #expect(DSNSecrets.passwords(in: "postgresql://u@db/app?password=\(Self.password)&sslmode=disable").contains(Self.password))
        #expect(DSNSecrets.redact("failed for s3cretXYZ", dsn: "postgresql://u:s3cret%58YZ@db/app") == "failed for ***")
    }
}
