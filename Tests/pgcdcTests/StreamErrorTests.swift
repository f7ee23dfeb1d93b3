import Foundation
import Logging
import PostgresCDCTesting
import TestSupport
import Testing
@testable import PostgresCDC

/// Each way `pgcdc stream` can be pointed at something wrong ends with a clear message and a non-zero exit.
@Suite struct StreamErrorTests {
    static func database() throws -> (LocalPostgresServer, String) {
        let (server, database) = try TestServer.freshDatabase()
        try server.psql("CREATE TABLE t (id int PRIMARY KEY); CREATE PUBLICATION pub FOR TABLE t;", database: database)
        return (server, database)
    }

    @Test func missingSlotIsNamed() throws {
        let (server, database) = try Self.database()
        let result = try CLIProcess.run(["stream", "--dsn", server.dsn(database: database), "--slot", "nope", "--publication", "pub"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("replication slot \"nope\" does not exist"), "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func missingPublicationIsNamed() throws {
        let (server, database) = try Self.database()
        let result = try CLIProcess.run([
            "stream", "--dsn", server.dsn(database: database), "--slot", "s_\(database)", "--create-slot", "--publication", "absent",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("publication \"absent\" does not exist in database \"\(database)\""), "stderr: \(result.stderr)")
    }

    @Test func slotInUseByAnotherConnectionIsRefused() throws {
        let (server, database) = try Self.database()
        var configuration = StreamConfiguration(dsn: server.dsn(database: database), slot: "busy_\(database)", publication: "pub")
        configuration.createSlot = true
        configuration.snapshot = .never
        let holder = try ReplicationSession(configuration: configuration, logger: Logger(label: "test"))
        defer { holder.close() }
        let result = try CLIProcess.run([
            "stream", "--dsn", server.dsn(database: database), "--slot", "busy_\(database)", "--publication", "pub",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("replication slot \"busy_\(database)\""), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("is in use by process"), "stderr: \(result.stderr)")
    }

    @Test func unreachableHostIsNamed() throws {
        // Port 1 on loopback: nothing listens there.
        let result = try CLIProcess.run([
            "stream", "--dsn", "host=127.0.0.1 port=1 user=postgres dbname=postgres connect_timeout=5", "--slot", "s", "--publication", "p",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("could not connect to 127.0.0.1 port 1"), "stderr: \(result.stderr)")
    }

    @Test func badLSNTextIsAUsageError() throws {
        let result = try CLIProcess.run(["stream", "--dsn", "host=127.0.0.1", "--slot", "s", "--publication", "p", "--end-lsn", "12/XYZ"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("12/XYZ"), "stderr: \(result.stderr)")
    }

    @Test func serverWithoutLogicalWalLevelIsExplained() throws {
        var options = LocalPostgresServer.Options()
        options.extraSettings = ["wal_level": "replica"]
        let server = try LocalPostgresServer.start(options)
        defer { server.stop() }
        let result = try CLIProcess.run(["stream", "--dsn", server.dsn(), "--slot", "s", "--create-slot", "--publication", "p"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("wal_level=replica; logical decoding needs wal_level=logical"), "stderr: \(result.stderr)")
    }
}

/// `--log-format json`: stderr is one JSON object per line, errors included.
@Suite struct JSONLogTests {
    @Test func jsonLogsAreOneObjectPerLineErrorsIncluded() throws {
        let (server, database) = try StreamErrorTests.database()
        let end = try server.psql("SELECT pg_current_wal_insert_lsn()", database: database)
        let ok = try CLIProcess.run([
            "stream", "--dsn", server.dsn(database: database), "--slot", "j_\(database)", "--create-slot",
            "--publication", "pub", "--end-lsn", end, "--log-format", "json",
        ])
        #expect(ok.status == 0, "stderr: \(ok.stderr)")
        let lines = ok.stderr.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] is String && object?["message"] is String, "not a JSON log line: \(line)")
        }
        #expect(ok.stderr.contains("\"slot\":\"j_\(database)\""), "slot creation is logged with the slot: \(ok.stderr)")

        let failed = try CLIProcess.run([
            "stream", "--dsn", server.dsn(database: database), "--slot", "nope", "--publication", "pub", "--log-format", "json",
        ])
        #expect(failed.status == 1)
        let error = try #require(try JSONSerialization.jsonObject(with: Data(failed.stderr.utf8)) as? [String: Any])
        #expect(error["level"] as? String == "error")
        #expect((error["error"] as? String)?.contains("replication slot \"nope\" does not exist") == true)
    }
}
