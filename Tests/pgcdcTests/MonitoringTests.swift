import Foundation
import PostgresCDCTesting
import TestSupport
import Testing

/// `examples/monitoring`: the alert rules pass promtool (syntax and their unit tests), and every
/// metric the Grafana dashboard queries exists in a real scrape of a streaming pgcdc.
@Suite struct MonitoringTests {
    static let folder = CLIProcess.repositoryRoot.appendingPathComponent("examples/monitoring")

    @Test func theAlertRulesPassPromtool() throws {
        let checked = try ProcessRunner.run(
            "/usr/bin/promtool", ["check", "rules", Self.folder.appendingPathComponent("pgcdc.rules.yml").path])
        #expect(checked.status == 0, "\(checked.stdout) \(checked.stderr)")
        #expect(checked.stdout.contains("SUCCESS: 7 rules found"), "\(checked.stdout)")
        let tested = try ProcessRunner.run(
            "/bin/sh", ["-c", "cd '\(Self.folder.path)' && /usr/bin/promtool test rules pgcdc.rules.test.yml"])
        #expect(tested.status == 0, "\(tested.stdout) \(tested.stderr)")
    }

    /// The metric names a PromQL expression uses (`pgcdc_…`), histogram series as the histogram.
    static func metrics(in expression: String) -> Set<String> {
        var names = Set<String>()
        var rest = Substring(expression)
        while let range = rest.range(of: "pgcdc_") {
            let name = rest[range.lowerBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            names.insert(String(name))
            rest = rest[range.upperBound...]
        }
        return names
    }

    @Test func everyMetricTheDashboardQueriesExistsInARealScrape() throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent("grafana-dashboard.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        let expressions = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        let queried = expressions.reduce(into: Set<String>()) { $0.formUnion(Self.metrics(in: $1)) }
        #expect(queried.count >= 12, "\(queried)")

        // A stream with everything the metrics describe: a size limit for the retained-WAL share, a backfill.
        let server = try TestServer.own(
            extraSettings: ["max_slot_wal_keep_size": "64MB"],
            setup: """
                CREATE TABLE t (id int PRIMARY KEY, v text);
                CREATE PUBLICATION pub FOR TABLE t;
                SELECT pg_create_logical_replication_slot('s', 'pgoutput');
                INSERT INTO t SELECT g, 'x' FROM generate_series(1, 1000) g;
                """)
        defer { server.stop() }
        let port = try FreePort.find()
        let dsn = server.dsn(database: "app")
        let stream = try BackgroundProcess(
            [
                "stream", "--dsn", dsn, "--slot", "s", "--publication", "pub", "--metrics-addr", "127.0.0.1:\(port)",
                "--slot-check-interval", "1", "--status-interval", "0.2",
            ], stdoutPath: "/dev/null", stderrPath: NSTemporaryDirectory() + "pgcdc-monitoring-\(getpid()).err")
        defer { stream.signal(SIGKILL); _ = stream.wait(timeout: 10) }
        usleep(500_000)
        let request = try CLIProcess.run(["backfill", "--dsn", dsn, "--slot", "s", "--table", "t"])
        #expect(request.status == 0, "\(request.stderr)")
        var body = ""
        let complete = eventually(timeout: 60) {
            body = MetricsTests.scrape(port: port) ?? ""
            return queried.allSatisfy { body.contains("\n\($0)") } && body.contains("pgcdc_backfill_rows_total")
        }
        stream.signal(SIGTERM)
        _ = stream.wait(timeout: 30)
        let missing = queried.filter { !body.contains("\n\($0)") }
        #expect(complete && missing.isEmpty, "missing from the scrape: \(missing.sorted())\n\(body)\nstderr: \(stream.stderr)")
    }
}
