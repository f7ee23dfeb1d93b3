import Foundation
import TestSupport
import Testing
@testable import PostgresCDC

/// `pgcdc stream --streaming … --two-phase` as a process: large transactions spill under a small
/// `--max-memory`, prepared transactions come out at COMMIT PREPARED with their gid, and the lines
/// are valid against the schema.
@Suite struct StreamingCommandTests {
    @Test func streamedAndPreparedTransactionsComeOutOnceWithTheirGID() throws {
        let prepared = try StreamCommandTests.prepare(workload: [
            "BEGIN; INSERT INTO orders (id, item, qty) SELECT g, 'bulk ' || g, g FROM generate_series(1, 4000) g; SAVEPOINT s; INSERT "
                + "INTO orders (id, item, qty) VALUES (999999, 'undone', 0); ROLLBACK TO s; COMMIT;",
            "BEGIN; INSERT INTO orders (id, item, qty) SELECT g, 'prepared ' || g, 1 FROM generate_series(10001, 13000) g; PREPARE "
                + "TRANSACTION 'order-batch-7';",
            "INSERT INTO orders (id, item, qty) VALUES (20001, 'while prepared', 1)",
            "COMMIT PREPARED 'order-batch-7'",
            "BEGIN; INSERT INTO orders (id, item, qty) VALUES (30001, 'never', 1); PREPARE TRANSACTION 'rolled-back'; ROLLBACK "
                + "PREPARED 'rolled-back';",
        ])
        let scratch = NSTemporaryDirectory() + "pgcdc-streaming-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let result = try CLIProcess.run([
            "stream", "--dsn", prepared.dsn, "--slot", prepared.slot, "--publication", "pub", "--end-lsn", prepared.endLSN,
            "--streaming", "on", "--max-memory", "64K", "--spill-dir", scratch, "--two-phase", "--checkpoint", scratch + "/cp",
            "--on-empty-store", "continue",
            "--transactions",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let objects = result.lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let inserts = objects.filter { $0["op"] as? String == "insert" }
        #expect(inserts.count == 4000 + 3000 + 1)
        let items = inserts.compactMap { ($0["new"] as? [String: Any])?["item"] as? String }
        #expect(!items.contains("undone") && !items.contains("never"))
        // Commit order: the row committed while the batch was prepared comes before the batch.
        #expect(items.firstIndex(of: "while prepared").map { $0 < items.firstIndex(of: "prepared 10001") ?? 0 } == true)
        #expect(objects.filter { $0["gid"] as? String == "order-batch-7" }.count == 3002)
        let validation = try StreamCommandTests.validate(result.stdout)
        #expect(validation.status == 0, "schema validation: \(validation.stdout) \(validation.stderr)")
        // Nothing left behind: no spill file, no prepared transaction waiting.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).sorted() == ["cp", "cp.prepared"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch + "/cp.prepared").isEmpty)
    }

    @Test func twoPhaseWithoutAPlaceToKeepPreparedTransactionsIsRefused() throws {
        let result = try CLIProcess.run(["stream", "--dsn", "host=127.0.0.1 port=1", "--slot", "s", "--publication", "p", "--two-phase"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--two-phase needs --checkpoint FILE or --sink file:PATH"))
    }
}
