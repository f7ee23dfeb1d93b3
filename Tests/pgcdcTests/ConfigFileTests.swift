import Foundation
import TestSupport
import Testing

/// `--config FILE`: the file's options, the command line winning, no silent environment.
@Suite struct ConfigFileTests {
    @Test func theFileSuppliesOptionsAndTheCommandLineWins() throws {
        let prepared = try StreamCommandTests.prepare(workload: ["INSERT INTO orders (id, item, qty) VALUES (1, 'tea', 2)"])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgcdc-config-\(prepared.database)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/pgcdc.toml"
        try Data(
            """
            # the connection and the slot
            dsn = "\(prepared.dsn)"
            slot = '\(prepared.slot)'
            publication = "not_this_one"    # the command line overrides it
            transactions = true
            ops = ["insert", "update"]
            status_interval = 0.5
            """.utf8
        ).write(to: URL(fileURLWithPath: path))
        let result = try CLIProcess.runProcess(
            "/usr/bin/env",
            [
                "PGCDC_SLOT=ignored", CLIProcess.executable,
                "stream", "--config", path, "--publication", "pub", "--end-lsn", prepared.endLSN,
            ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.lines.count == 3, "begin, insert, commit: \(result.stdout)")
        #expect(result.lines.first?.contains("\"op\":\"begin\"") == true)
        #expect(result.stderr.contains("ignoring PGCDC_SLOT"), "the environment must not be ignored silently: \(result.stderr)")

        try Data("slot = 'x'\nbogus = 1\n".utf8).write(to: URL(fileURLWithPath: path))
        let unknown = try CLIProcess.run(["stream", "--config", path])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("\(path):2: unknown option \"bogus\""), "\(unknown.stderr)")
    }
}
