import Foundation
import PostgresCDCTesting
import TestSupport
import Testing

/// The metrics endpoint faces a network: bad requests get an error or a close, slow clients are
/// dropped, a flood of connections is capped, and through it all scrapes work and memory stays flat.
@Suite struct MetricsServerTests {
    /// The server's `MetricsServer.requestTimeout`, in seconds.
    static let requestTimeout = 5.0

    @Test func badRequestsAndSlowClientsGetAnErrorOrACloseAndLeaveScrapesAndMemoryAlone() throws {
        let setup = try SlotDatabase.make("CREATE TABLE t (id int PRIMARY KEY); CREATE PUBLICATION pub FOR TABLE t;")
        defer { setup.remove() }
        let port = try FreePort.find()
        let run = try BackgroundProcess(
            setup.arguments(["--metrics-addr", "127.0.0.1:\(port)", "--status-interval", "0.2"]),
            stdoutPath: "\(setup.scratch)/out", stderrPath: "\(setup.scratch)/err")
        defer { run.signal(SIGTERM); _ = run.wait(timeout: 10) }
        try setup.sql("INSERT INTO t VALUES (1);")
        let counted = #"pgcdc_events_total{op="insert",table="public.t"} 1"#
        var body = ""
        #expect(
            eventually(timeout: 30) {
                body = MetricsTests.scrape(port: port) ?? ""; return body.contains(counted)
            }, "\(run.stderr)")

        // One round first, so that what the allocator keeps for a connection is in the baseline.
        for request in BadRequest.all { _ = try request.send(port: port) }
        let rssBefore = try Self.residentKiB(run.pid)

        var outcomes: [String: Int] = [:]
        for _ in 0..<40 {
            for request in BadRequest.all {
                let outcome = try request.send(port: port)
                #expect(request.accepts(outcome), "\(request.name): \(outcome)")
                outcomes["\(request.name) → \(outcome)", default: 0] += 1
            }
        }
        print("bad requests sent: \(outcomes.values.reduce(0, +)), outcomes: \(outcomes.sorted { $0.key < $1.key })")

        // Slowloris: 100 connections sending one byte a second; 64 are admitted at most.
        let descriptorsBefore = Self.openDescriptors(run.pid)
        let slow = SlowClients(port: port, count: 100)
        var mostDescriptors = 0
        var scrapeWhileHeld: String?
        let start = Date()
        while !slow.allClosed, Date().timeIntervalSince(start) < Self.requestTimeout + 3 {
            slow.tick(elapsed: Date().timeIntervalSince(start))
            mostDescriptors = max(mostDescriptors, Self.openDescriptors(run.pid))
            if scrapeWhileHeld == nil, Date().timeIntervalSince(start) > 2 {
                scrapeWhileHeld = (MetricsTests.scrape(port: port) ?? "").prefix { $0 != "\r" }.description
            }
            usleep(250_000)
        }
        let closedAtOnce = slow.closedAt.filter { $0 < 1 }.count
        let lastClose = slow.closedAt.max() ?? .infinity
        print(
            "slowloris: \(closedAtOnce) closed at once (connection cap), the last closed after \(lastClose) s; "
                + "pgcdc descriptors \(descriptorsBefore) before, at most \(mostDescriptors); "
                + "a scrape meanwhile: \"\(scrapeWhileHeld ?? "")\""
        )
        #expect(slow.allClosed, "still open after \(Self.requestTimeout + 3) s: \(slow.openCount)")
        #expect(closedAtOnce >= 36, "closed within the first second: \(closedAtOnce)")
        #expect(lastClose < Self.requestTimeout + 2)
        #expect(mostDescriptors <= descriptorsBefore + 64 + 2)

        body = MetricsTests.scrape(port: port) ?? ""
        #expect(body.hasPrefix("HTTP/1.1 200 OK"), "\(body)")
        #expect(body.contains(counted), "\(body)")
        let rssAfter = try Self.residentKiB(run.pid)
        print("pgcdc VmRSS: \(rssBefore) KiB before the bad requests and slow clients, \(rssAfter) KiB after")
        #expect(rssAfter - rssBefore < 8 * 1024, "VmRSS grew from \(rssBefore) KiB to \(rssAfter) KiB")
    }

    @Test func healthAndKeepAliveScrapesAreAnswered() throws {
        let setup = try SlotDatabase.make("CREATE TABLE t (id int PRIMARY KEY); CREATE PUBLICATION pub FOR TABLE t;")
        defer { setup.remove() }
        let port = try FreePort.find()
        let run = try BackgroundProcess(
            setup.arguments(["--metrics-addr", "127.0.0.1:\(port)"]), stdoutPath: "\(setup.scratch)/out", stderrPath: "\(setup.scratch)/err"
        )
        defer { run.signal(SIGTERM); _ = run.wait(timeout: 10) }
        #expect(eventually(timeout: 30) { MetricsTests.scrape(port: port) != nil }, "\(run.stderr)")
        let connection = try RawConnection(port: port)
        let twoRequests = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        connection.write(Array(twoRequests.utf8))
        let response = String(decoding: connection.readUntilClosed(timeout: 5).bytes, as: UTF8.self)
        #expect(response.hasPrefix("HTTP/1.1 200 OK"), "\(response)")
        #expect(
            response.contains("connection: keep-alive\r\n\r\nok\n") || response.contains("Connection: keep-alive\r\n\r\nok\n"),
            "\(response)")
        #expect(response.components(separatedBy: "HTTP/1.1 200 OK").count == 3, "\(response)")
    }

    static func residentKiB(_ pid: pid_t) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    static func openDescriptors(_ pid: pid_t) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
    }
}
