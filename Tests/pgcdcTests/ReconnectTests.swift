import Foundation
import TestSupport
import Testing
@testable import PostgresCDC

/// A connection lost mid-stream (the server restarted with `-m immediate`, same timeline): pgcdc
/// reconnects by itself and the file sink ends with every row exactly once.
@Suite struct ReconnectTests {
    @Test func aServerRestartedMidStreamIsReconnectedToAndNothingIsLostOrRepeated() throws {
        // A server of its own: restarting the shared one would break the other tests.
        let server = try TestServer.own(
            setup: """
                CREATE TABLE t (id int PRIMARY KEY, v text);
                CREATE PUBLICATION pub FOR TABLE t;
                SELECT pg_create_logical_replication_slot('s', 'pgoutput');
                INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 100000) g;
                """)
        defer { server.stop() }
        let directory = NSTemporaryDirectory() + "pgcdc-reconnect-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/changes.jsonl"
        let process = try BackgroundProcess(
            [
                "stream", "--dsn", server.dsn(database: "app"), "--slot", "s", "--publication", "pub", "--sink", "file:\(path)",
                "--reconnect-max-delay", "0.5", "--status-interval", "0.2", "--on-empty-store", "continue",
            ],
            stdoutPath: "\(directory)/out", stderrPath: "\(directory)/err"
        )
        // Restart while pgcdc is still writing the first transaction's rows.
        _ = eventually(timeout: 30) { ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) > 0 }
        try server.restartImmediately(downFor: 1)
        try server.psql("INSERT INTO t SELECT g, 'after the restart' FROM generate_series(100001, 100100) g", database: "app")
        let complete = eventually(timeout: 60) {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            return text.contains("\"id\":100100,")
        }
        process.signal(SIGTERM)
        let status = process.wait(timeout: 30)
        #expect(complete, "stderr: \(process.stderr.suffix(2000))")
        #expect(status == 0, "stderr: \(process.stderr.suffix(2000))")
        #expect(process.stderr.contains("connection lost, reconnecting"), "stderr: \(process.stderr.suffix(2000))")
        let ids = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap { line -> Int? in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return (object?["new"] as? [String: Any])?["id"] as? Int
        }
        #expect(ids.count == 100_100, "rows in the file: \(ids.count)")
        #expect(ids == Array(1...100_100))
    }

    @Test func aFrozenWalsenderIsNoticedByTheWatchdogAndStreamingResumes() throws {
        let server = try TestServer.own(
            setup: """
                CREATE TABLE t (id int PRIMARY KEY, v text);
                CREATE PUBLICATION pub FOR TABLE t;
                SELECT pg_create_logical_replication_slot('s', 'pgoutput');
                INSERT INTO t VALUES (1, 'before');
                """)
        defer { server.stop() }
        let directory = NSTemporaryDirectory() + "pgcdc-watchdog-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/changes.jsonl"
        let process = try BackgroundProcess(
            [
                "stream", "--dsn", server.dsn(database: "app"), "--slot", "s", "--publication", "pub", "--sink", "file:\(path)",
                "--server-timeout", "2", "--reconnect-max-delay", "0.5", "--on-empty-store", "continue",
            ],
            stdoutPath: "\(directory)/out", stderrPath: "\(directory)/err"
        )
        defer { process.signal(SIGKILL); _ = process.wait(timeout: 10) }
        #expect(eventually(timeout: 30) { ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").contains("\"before\"") })
        // Freeze the walsender: its TCP connection stays up, only silence shows it.
        let walsender = try #require(
            Int32(try server.psql("SELECT active_pid FROM pg_replication_slots WHERE slot_name = 's'", database: "app")))
        kill(walsender, SIGSTOP)
        let noticed = eventually(timeout: 20) { process.stderr.contains("no message from the server for 2 s") }
        kill(walsender, SIGCONT)
        #expect(noticed, "stderr: \(process.stderr.suffix(2000))")
        try server.psql("INSERT INTO t VALUES (2, 'after the freeze')", database: "app")
        #expect(
            eventually(timeout: 60) { ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").contains("after the freeze") },
            "stderr: \(process.stderr.suffix(2000))")
        process.signal(SIGTERM)
        #expect(process.wait(timeout: 30) == 0)
    }
}
