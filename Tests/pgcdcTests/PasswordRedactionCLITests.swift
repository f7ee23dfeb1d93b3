import Foundation
import PostgresCDCTesting
import TestSupport
import Testing
@testable import PostgresCDC

/// No output of any subcommand that takes `--dsn` shows the DSN's password (issue 16, defect 5):
/// not on a failed connection, not in the most verbose logs of a run that works, not in `status`,
/// not in the metrics endpoint.
@Suite struct PasswordRedactionCLITests {
    static let password = "s3cretXYZ"

    /// Every subcommand that connects with `--dsn`.
    static let commands: [[String]] = [
        ["stream", "--slot", "s", "--publication", "p"], ["status", "--slot", "s"], ["doctor"], ["slot", "list"], ["slot", "drop", "s"],
    ]

    static func expectNoPassword(_ result: CLIResult, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!result.stdout.contains(password), "\(what): stdout shows the password: \(result.stdout)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains(password), "\(what): stderr shows the password: \(result.stderr)", sourceLocation: sourceLocation)
    }

    @Test func noSubcommandShowsThePasswordOfAServerItCannotReach() throws {
        let dsns = [
            "host=127.0.0.1 port=1 user=u password=\(Self.password) dbname=d connect_timeout=2",
            "postgresql://u:\(Self.password)@127.0.0.1:1/d?connect_timeout=2",
            "host=127.0.0.1,localhost port=1 user=u password=\(Self.password) connect_timeout=2",
            "host=127.0.0.1 port=1 password=\(Self.password) no_such_option=1",
        ]
        for dsn in dsns {
            for command in Self.commands {
                for format in ["text", "json"] {
                    let result = try CLIProcess.run(command + ["--dsn", dsn, "--log-level", "trace", "--log-format", format], timeout: 60)
                    #expect(result.status != 0, "\(command) with \(dsn)")
                    Self.expectNoPassword(result, "\(command) --log-format \(format) with \(dsn)")
                }
            }
        }
    }

    @Test func aRoleTheServerRefusesIsReportedWithoutThePassword() throws {
        let (server, database) = try TestServer.freshDatabase()
        let dsns = [
            "host=\(server.host) port=\(server.port) dbname=\(database) user=no_such_role password=\(Self.password)",
            "postgresql://no_such_role:\(Self.password)@\(server.host):\(server.port)/\(database)",
        ]
        for dsn in dsns {
            for command in Self.commands {
                let result = try CLIProcess.run(command + ["--dsn", dsn, "--log-level", "trace"], timeout: 60)
                #expect(result.status != 0)
                // doctor reports its findings (this one included) on stdout.
                #expect((result.stdout + result.stderr).contains("no_such_role"), "\(command): \(result.stderr)")
                Self.expectNoPassword(result, "\(command) with \(dsn)")
            }
        }
    }

    @Test func runsThatWorkShowNoPasswordAtTraceLevelNorInMetrics() throws {
        let setup = try SlotDatabase.make("CREATE TABLE t (id int PRIMARY KEY); CREATE PUBLICATION pub FOR TABLE t;")
        defer { setup.remove() }
        let dsns = [
            setup.dsn + " password=\(Self.password)",
            "postgresql://postgres:\(Self.password)@\(setup.server.host):\(setup.server.port)/\(setup.database)",
        ]
        for (index, dsn) in dsns.enumerated() {
            let verbose = ["--dsn", dsn, "--log-level", "trace"]
            for command in [["status", "--slot", setup.slot, "--allow-inactive"], ["slot", "list"], ["doctor"]] {
                let result = try CLIProcess.run(command + verbose)
                Self.expectNoPassword(result, "\(command)")
            }
            // Streaming, with the metrics endpoint scraped while it runs.
            let port = try FreePort.find()
            let run = try BackgroundProcess(
                ["stream", "--slot", setup.slot, "--publication", "pub", "--metrics-addr", "127.0.0.1:\(port)", "--status-interval", "0.2"]
                    + verbose,
                stdoutPath: "\(setup.scratch)/out\(index)", stderrPath: "\(setup.scratch)/err\(index)")
            _ = try setup.sql("INSERT INTO t VALUES (\(index))")
            var body = ""
            let counted = eventually(timeout: 30) {
                body = MetricsTests.scrape(port: port) ?? ""
                return body.contains(#"pgcdc_events_total{op="insert",table="public.t"} 1"#)
            }
            #expect(counted, "metrics: \(body)\nstderr: \(run.stderr)")
            #expect(!body.contains(Self.password), "metrics: \(body)")
            let status = try CLIProcess.run(["status", "--slot", setup.slot] + verbose)
            #expect(status.stdout.contains("active: yes"), "\(status.stdout)")
            Self.expectNoPassword(status, "status of an active slot")
            run.signal(SIGTERM)
            _ = run.wait(timeout: 10)
            #expect(run.stderr.contains("debug") || run.stderr.contains("trace"), "\(run.stderr)")
            #expect(!run.stderr.contains(Self.password), "stream's stderr: \(run.stderr)")
            let events = (try? String(contentsOfFile: "\(setup.scratch)/out\(index)", encoding: .utf8)) ?? ""
            #expect(!events.contains(Self.password))
        }
    }

    @Test func aConfigFileValueThatDoesNotParseIsNotEchoed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgcdc-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/pgcdc.toml"
        try "dsn = host=db password=\(Self.password)\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CLIProcess.run(["stream", "--config", path, "--slot", "s", "--publication", "p"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("pgcdc.toml:1: dsn:"), "\(result.stderr)")
        Self.expectNoPassword(result, "a config file error")
    }
}
