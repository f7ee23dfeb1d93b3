import Foundation
import PostgresCDCTesting
import TestSupport
import Testing

/// `pgcdc ddl install` / `uninstall`, and the `ddl` lines `pgcdc stream` writes in both formats.
@Suite struct DDLCLITests {
    @Test func installedDDLIsWrittenAsSchemaValidLinesInBothFormatsAndDoctorSaysSo() throws {
        let prepared = try StreamCommandTests.prepare(workload: [])
        let install = try CLIProcess.run(["ddl", "install", "--dsn", prepared.dsn])
        #expect(install.status == 0, "stderr: \(install.stderr)")
        // A slot per format: each run consumes what it streams.
        try prepared.server.psql(
            "SELECT pg_create_logical_replication_slot('debezium_\(prepared.database)', 'pgoutput')", database: prepared.database)
        try prepared.server.psql(
            "INSERT INTO orders (id, item) VALUES (1, 'tea'); ALTER TABLE orders ADD COLUMN note text; DROP INDEX IF EXISTS nothing",
            database: prepared.database)
        try prepared.server.psql("CREATE VIEW \"Big \"\"Orders\"\"\" AS SELECT * FROM orders WHERE qty > 10", database: prepared.database)
        let end = try prepared.server.psql("SELECT pg_current_wal_insert_lsn()", database: prepared.database)
        for format in ["native", "debezium"] {
            let result = try CLIProcess.run([
                "stream", "--dsn", prepared.dsn, "--slot", format == "native" ? prepared.slot : "debezium_\(prepared.database)",
                "--publication", "pub", "--end-lsn", end, "--format", format,
            ])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let objects = result.lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            let schema = format == "native" ? "change-event" : "debezium-event"
            let validation = try CLIProcess.validate(result.stdout, against: schema)
            #expect(validation.status == 0, "\(format): \(validation.stdout) \(validation.stderr)")
            if format == "native" {
                let ddl = objects.filter { $0["op"] as? String == "ddl" }.map { "\($0["tag"] ?? "") \($0["identity"] ?? "")" }
                #expect(ddl == ["ALTER TABLE public.orders", "CREATE VIEW public.\"Big \"\"Orders\"\"\""], "\(result.stdout)")
                #expect(objects.first?["op"] as? String == "insert", "the insert came first in its transaction")
            } else {
                let ddl = objects.compactMap { $0["ddl"] as? String }
                #expect(ddl.count == 2 && ddl[1].hasPrefix("CREATE VIEW"), "\(result.stdout)")
                #expect(objects.compactMap { $0["schemaName"] as? String } == ["public", "public"])
            }
        }
        let doctor = try CLIProcess.run(["doctor", "--dsn", prepared.dsn])
        #expect(doctor.stdout.contains("DDL event triggers installed"), "\(doctor.stdout)")
        let uninstall = try CLIProcess.run(["ddl", "uninstall", "--dsn", prepared.dsn])
        #expect(uninstall.status == 0, "stderr: \(uninstall.stderr)")
        #expect(try CLIProcess.run(["doctor", "--dsn", prepared.dsn]).stdout.contains("DDL event triggers not installed"))
    }

    @Test func installingWithoutASuperuserFailsNamingWhatItNeeds() throws {
        let prepared = try StreamCommandTests.prepare(workload: ["CREATE ROLE plain LOGIN"])
        let result = try CLIProcess.run(["ddl", "install", "--dsn", prepared.dsn + " user=plain"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("needs a superuser"), "\(result.stderr)")
        #expect(result.stderr.contains("permission denied"), "\(result.stderr)")
    }
}
