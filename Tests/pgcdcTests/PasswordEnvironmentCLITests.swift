import Foundation
import PostgresCDCTesting
import TestSupport
import Testing

/// A server that requires a password: libpq's `PGPASSWORD` and `PGPASSFILE` give it to pgcdc, so
/// the DSN — on the command line or in a file — never needs to hold it.
@Suite struct PasswordEnvironmentCLITests {
    @Test func pgpasswordAndPgpassfileAuthenticateADSNWithoutAPassword() throws {
        let server = try LocalPostgresServer.start(
            LocalPostgresServer.Options(tls: nil, hbaRules: ["host app cdc 127.0.0.1/32 scram-sha-256"]))
        defer { server.stop() }
        try server.createDatabase("app")
        try server.psql(
            """
            CREATE ROLE cdc LOGIN REPLICATION PASSWORD 'pw-Ul7x';
            CREATE TABLE t (id int PRIMARY KEY); GRANT SELECT ON t TO cdc;
            CREATE PUBLICATION pub FOR TABLE t;
            INSERT INTO t VALUES (1);
            """, database: "app")
        let end = try server.psql("SELECT pg_current_wal_insert_lsn()", database: "app")
        let dsn = "host=127.0.0.1 port=\(server.port) user=cdc dbname=app"
        func stream(_ environment: [String], slot: String) throws -> CLIResult {
            try CLIProcess.runProcess(
                "/usr/bin/env",
                environment + [
                    CLIProcess.executable, "stream", "--dsn", dsn, "--slot", slot, "--publication", "pub", "--create-slot", "--end-lsn",
                    end,
                ])
        }

        let refused = try stream(["PGPASSWORD="], slot: "none")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("password"), "\(refused.stderr)")

        let withVariable = try stream(["PGPASSWORD=pw-Ul7x"], slot: "by_variable")
        #expect(withVariable.status == 0, "\(withVariable.stderr)")
        #expect(withVariable.stdout.contains("\"id\":1"), "\(withVariable.stdout)")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgcdc-pgpass-\(server.port)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let passfile = "\(directory)/pgpass"
        let created = FileManager.default.createFile(
            atPath: passfile, contents: Data("127.0.0.1:\(server.port):*:cdc:pw-Ul7x\n".utf8), attributes: [.posixPermissions: 0o600])
        try #require(created)
        let withFile = try stream(["PGPASSFILE=\(passfile)"], slot: "by_file")
        #expect(withFile.status == 0, "\(withFile.stderr)")
        #expect(withFile.stdout.contains("\"id\":1"), "\(withFile.stdout)")
        for result in [refused, withVariable, withFile] {
            #expect(!(result.stdout + result.stderr).contains("pw-Ul7x"))
        }
    }
}
