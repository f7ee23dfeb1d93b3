import Foundation
import PGOutput
import PostgresCDCTesting
import TestSupport
import Testing
@testable import PostgresCDC

/// A backfill into JetStream, killed mid-way: the chunks read again after the restart carry the
/// same message ids (`backfill:{id}:{key}`), so JetStream holds every row's read once.
@Suite struct NATSBackfillTests {
    @Test func aBackfillKilledMidwayHoldsEveryRowOnceInJetStream() throws {
        let nats = try NATSTestServer()
        let rows = 30_000
        let setup = try NATSSinkTests.setUp(
            """
            CREATE TABLE bf (id int PRIMARY KEY, v int NOT NULL);
            INSERT INTO bf SELECT g, g FROM generate_series(1, \(rows)) g;
            CREATE PUBLICATION pub FOR TABLE bf;
            """)
        let scratch = NSTemporaryDirectory() + "pgcdc-nats-backfill-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let arguments = NATSSinkTests.stream(
            setup, nats: nats,
            [
                "--nats-create-stream", "--checkpoint", "\(scratch)/cp", "--backfill", "bf", "--backfill-chunk-size", "1000",
                "--backfill-rate", "6000",
            ])
        var run = try BackgroundProcess(arguments, stdoutPath: "/dev/null", stderrPath: "\(scratch)/first.err")
        func reads() throws -> [JetStreamReader.Message] {
            try JetStreamReader.messages(url: nats.url, stream: "CDC").filter { $0.subject == "pgcdc.public.bf" }
        }
        #expect(eventually(timeout: 60) { ((try? reads().count) ?? 0) >= 5_000 }, "\(run.stderr)")
        run.signal(SIGKILL)
        _ = run.wait(timeout: 10)
        var restarted = false
        for _ in 0..<50 where !restarted {
            run = try BackgroundProcess(arguments, stdoutPath: "/dev/null", stderrPath: "\(scratch)/second.err")
            restarted = run.wait(timeout: 1) == nil
        }
        #expect(restarted, "\(run.stderr)")
        let completed = eventually(timeout: 120) {
            ((try? JetStreamReader.messages(url: nats.url, stream: "CDC")) ?? []).contains {
                $0.subject == "pgcdc._transactions" && String(decoding: $0.data, as: UTF8.self).contains("\"op\":\"backfill_completed\"")
            }
        }
        #expect(completed, "\(run.stderr)")
        run.signal(SIGTERM)
        #expect(run.wait(timeout: 30) == 0, "\(run.stderr)")
        let messages = try reads()
        var ids: [Int: Int] = [:]
        for message in messages {
            let object = NATSSinkTests.object(message)
            #expect(object["op"] as? String == "read" && object["backfill"] as? String == "start-public.bf")
            let id = ((object["new"] as? [String: Any])?["id"] as? NSNumber)?.intValue ?? -1
            ids[id, default: 0] += 1
            #expect(message.messageID == "backfill:start-public.bf:\(id)")
        }
        #expect(ids.count == rows)
        #expect(ids.values.allSatisfy { $0 == 1 }, "\(ids.filter { $0.value > 1 }.count) rows held twice")
    }
}
