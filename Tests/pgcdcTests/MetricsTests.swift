import Foundation
import PostgresCDCTesting
import TestSupport
import Testing
@testable import PostgresCDC

/// `--metrics-addr`: the Prometheus endpoint, scraped while pgcdc streams.
@Suite struct MetricsTests {
    /// `GET /metrics` over a plain socket.
    static func scrape(port: Int) -> String? {
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(client) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return nil }
        let request = Array("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(client, &chunk, chunk.count)
            if count <= 0 { break }
            response += chunk[0..<count]
        }
        return String(decoding: response, as: UTF8.self)
    }

    @Test func theEndpointCountsEventsPerTableAndReportsLagAndTheCheckpoint() throws {
        let setup = try SlotDatabase.make(
            "CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE u (id int PRIMARY KEY); CREATE PUBLICATION pub FOR TABLE t, u;")
        defer { setup.remove() }
        let port = try FreePort.find()
        let run = try BackgroundProcess(
            setup.arguments(["--metrics-addr", "127.0.0.1:\(port)", "--status-interval", "0.2"]),
            stdoutPath: "\(setup.scratch)/out", stderrPath: "\(setup.scratch)/err")
        defer { run.signal(SIGTERM); _ = run.wait(timeout: 10) }
        _ = try setup.sql("INSERT INTO t SELECT generate_series(1, 25); INSERT INTO u VALUES (1); UPDATE t SET id = id + 100 WHERE id = 1;")
        var body = ""
        let counted = eventually(timeout: 30) {
            body = Self.scrape(port: port) ?? ""
            return body.contains(#"pgcdc_events_total{op="update",table="public.t"} 1"#)
        }
        #expect(counted, "metrics: \(body)\nstderr: \(run.stderr)")
        #expect(body.contains("HTTP/1.1 200 OK"))
        #expect(body.contains(#"pgcdc_events_total{op="insert",table="public.t"} 25"#))
        #expect(body.contains(#"pgcdc_events_total{op="insert",table="public.u"} 1"#))
        #expect(body.contains(#"pgcdc_bytes_total{op="insert",table="public.t"}"#))
        #expect(body.contains("pgcdc_transactions_total 3"), "\(body)")
        #expect(body.contains("pgcdc_replication_lag_bytes"))
        #expect(body.contains("pgcdc_replication_lag_seconds"))
        #expect(body.contains("pgcdc_sink_flush_seconds_count"))
        #expect(body.contains("pgcdc_reconnects_total 0"))
        let checkpoint = body.split(separator: "\n").first { $0.hasPrefix("pgcdc_checkpoint_lsn ") }
        #expect((checkpoint.flatMap { Double($0.split(separator: " ")[1]) } ?? 0) > 0, "\(checkpoint ?? "no pgcdc_checkpoint_lsn")")
    }

    /// The initial snapshot's rows come as chunks of lines written on the copying threads: they are
    /// counted per table like events, rows and bytes.
    @Test func snapshotRowsAreCountedPerTableWithTheirBytes() throws {
        let setup = try SlotDatabase.make(
            """
            CREATE TABLE t (id int PRIMARY KEY, pad text);
            INSERT INTO t SELECT g, repeat('x', g % 100) FROM generate_series(1, 5000) g;
            CREATE PUBLICATION pub FOR TABLE t;
            """)
        defer { setup.remove() }
        let port = try FreePort.find()
        let slot = "snap_\(setup.database)"
        let run = try BackgroundProcess(
            [
                "stream", "--dsn", setup.dsn, "--slot", slot, "--publication", "pub", "--create-slot", "--metrics-addr",
                "127.0.0.1:\(port)", "--status-interval", "0.2",
            ], stdoutPath: "\(setup.scratch)/out", stderrPath: "\(setup.scratch)/err")
        defer {
            run.signal(SIGTERM)
            _ = run.wait(timeout: 10)
            _ = try? setup.sql("SELECT pg_drop_replication_slot('\(slot)')")
        }
        var body = ""
        let counted = eventually(timeout: 30) {
            body = Self.scrape(port: port) ?? ""
            return body.contains(#"pgcdc_events_total{op="read",table="public.t"} 5000"#)
        }
        #expect(counted, "metrics: \(body)\nstderr: \(run.stderr)")
        let output = try String(contentsOfFile: "\(setup.scratch)/out", encoding: .utf8)
        let readBytes = output.split(separator: "\n").filter { $0.contains(#""op":"read""#) }.reduce(0) { $0 + $1.utf8.count + 1 }
        #expect(readBytes > 5000 * 50)
        #expect(body.contains("pgcdc_bytes_total{op=\"read\",table=\"public.t\"} \(readBytes)\n"), "\(body)")
    }
}
