import Foundation
import TestSupport
import Testing
@testable import PostgresCDC

/// pgcdc killed at random moments while a writer commits, restarted each time: nothing is lost,
/// nothing is invented, and duplicates stay where the delivery guarantees say.
@Suite struct CrashTests {
    typealias Setup = SlotDatabase

    /// One insert event as the tests need it.
    struct Insert: Hashable {
        var commitLSN: String
        var seq: Int
        var id: Int
    }

    static func setUp() throws -> Setup {
        try SlotDatabase.make(TableWriter.schema + "CREATE PUBLICATION pub FOR TABLE crash;")
    }

    /// Every id the writer committed.
    static func expectedIDs(_ setup: Setup) throws -> [Int] {
        try setup.sql("SELECT id FROM crash ORDER BY id").split(separator: "\n").compactMap { Int($0) }
    }

    /// Runs pgcdc `cycles` times, ending each run with `signal` after a random moment; a run that
    /// could not start because the killed run's walsender still held the slot is retried.
    /// With `throughPipe`, pgcdc's stdout is a pipe (a FIFO drained by `cat` into the run's file), as
    /// when it feeds another program; otherwise the run's file itself, which pgcdc fsyncs.
    static func cycle(_ setup: Setup, arguments: [String], cycles: Int, signal: Int32, expectedExit: Int32, throughPipe: Bool = false)
        throws -> [String]
    {
        var outputs: [String] = []
        var attempt = 0
        while outputs.count < cycles {
            attempt += 1
            try #require(attempt < cycles * 4, "too many runs could not start")
            let file = "\(setup.scratch)/run-\(attempt).jsonl"
            var drain: BackgroundProcess?
            if throughPipe {
                let fifo = "\(setup.scratch)/fifo-\(attempt)"
                try #require(mkfifo(fifo, 0o600) == 0)
                drain = try BackgroundProcess([fifo], stdoutPath: file, stderrPath: "\(file).cat.err", executable: "/bin/cat")
            }
            let run = try BackgroundProcess(
                setup.arguments(arguments),
                stdoutPath: throughPipe ? "\(setup.scratch)/fifo-\(attempt)" : file, stderrPath: "\(setup.scratch)/run-\(attempt).err"
            )
            usleep(useconds_t.random(in: 150_000...700_000))
            if let early = run.wait(timeout: 0) {
                // It ended by itself: only a slot still held by the previous run's walsender is expected.
                _ = drain?.wait(timeout: 5)
                try #require(run.stderr.contains("is in use"), "run \(attempt) exited \(early): \(run.stderr)")
                usleep(100_000)
                continue
            }
            run.signal(signal)
            let status = run.wait(timeout: 5)
            #expect(
                status == expectedExit, "run \(attempt) after signal \(signal): exit \(String(describing: status)); stderr: \(run.stderr)")
            #expect(drain.map { $0.wait(timeout: 5) == 0 } ?? true, "cat did not finish draining the pipe")
            outputs.append((try? String(contentsOfFile: file, encoding: .utf8)) ?? "")
        }
        return outputs
    }

    /// Streams what is left up to the current WAL position and exits.
    static func drain(_ setup: Setup, arguments: [String]) throws -> String {
        let end = try setup.currentLSN()
        for _ in 0..<50 {
            let result = try CLIProcess.run(setup.arguments(arguments + ["--end-lsn", end]))
            if result.status == 0 { return result.stdout }
            try #require(result.stderr.contains("is in use"), "final run: \(result.stderr)")
            usleep(100_000)
        }
        throw CLIFailure.slotStayedBusy
    }

    enum CLIFailure: Error { case slotStayedBusy }

    /// Parses one run's output; a torn last line (a kill in the middle of a write) is allowed.
    static func inserts(_ output: String, allowTornLastLine: Bool) throws -> [Insert] {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        var inserts: [Insert] = []
        for (index, line) in lines.enumerated() where !line.isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                let isLast = index == lines.count - 1
                try #require(allowTornLastLine && isLast, "unparsable line \(index): \(line.prefix(200))")
                continue
            }
            guard object["op"] as? String == "insert" else { continue }
            let new = object["new"] as? [String: Any]
            guard let commit = object["commit_lsn"] as? String, let seq = object["seq"] as? Int, let id = new?["id"] as? Int else {
                Issue.record("insert without commit_lsn, seq or id: \(line)")
                continue
            }
            inserts.append(Insert(commitLSN: commit, seq: seq, id: id))
        }
        return inserts
    }

    /// Checks the union of all runs against the table: every id once, each `(commit_lsn, seq)`
    /// always the same row. Returns, per run after the first, the transactions it repeated.
    static func verifyUnion(_ runs: [[Insert]], expected: [Int]) -> [Set<String>] {
        var byKey: [String: Int] = [:]
        var repeatedPerRun: [Set<String>] = []
        for run in runs {
            var repeated: Set<String> = []
            for insert in run {
                let key = "\(insert.commitLSN)/\(insert.seq)"
                if let id = byKey[key] {
                    #expect(id == insert.id, "\(key) was id \(id) and then \(insert.id)")
                    repeated.insert(insert.commitLSN)
                } else {
                    byKey[key] = insert.id
                }
            }
            repeatedPerRun.append(repeated)
        }
        let streamed = byKey.values.sorted()
        #expect(streamed.count == expected.count, "streamed \(streamed.count) distinct rows, the table has \(expected.count)")
        let missing = Set(expected).subtracting(streamed)
        let invented = Set(streamed).subtracting(expected)
        #expect(missing.isEmpty, "\(missing.count) rows never streamed, e.g. ids \(missing.sorted().prefix(10))")
        #expect(invented.isEmpty, "\(invented.count) streamed ids are not in the table, e.g. \(invented.sorted().prefix(10))")
        return repeatedPerRun
    }

    /// Into a file with `--fsync-interval 0`: every transaction is fsynced and its checkpoint saved with
    /// the rename protocol. Into a pipe with `--fsync-interval 0.5`: the checkpoint is overwritten in
    /// place between durable saves — which a killed process cannot undo either.
    @Test(arguments: [("0", false), ("0.5", true)])
    func sigkillWithStdoutAndACheckpointLosesNothingAndRepeatsOnlyTheTransactionInFlight(fsyncInterval: String, throughPipe: Bool) throws {
        let setup = try Self.setUp()
        defer { setup.remove() }
        let before = try setup.confirmedFlush()
        let writer = TableWriter(dsn: setup.dsn)
        writer.start()
        // The server hears nothing during the runs: every restart resumes from the checkpoint alone.
        let arguments = [
            "--checkpoint", "\(setup.scratch)/checkpoint.json", "--status-interval", "3600", "--fsync-interval", fsyncInterval,
        ]
        let outputs = try Self.cycle(setup, arguments: arguments, cycles: 20, signal: SIGKILL, expectedExit: 137, throughPipe: throughPipe)
        let transactions = try writer.stop()
        let final = try Self.drain(setup, arguments: arguments)

        var runs = try outputs.map { try Self.inserts($0, allowTornLastLine: true) }
        runs.append(try Self.inserts(final, allowTornLastLine: false))
        let repeated = Self.verifyUnion(runs, expected: try Self.expectedIDs(setup))
        for (index, transactions) in repeated.enumerated() {
            #expect(transactions.count <= 1, "run \(index) repeated \(transactions.count) transactions: \(transactions.sorted())")
        }
        #expect(transactions > 20)
        // The final clean run told the server; `pgcdc slot list` shows the slot moved on.
        let list = try CLIProcess.run(["slot", "list", "--dsn", setup.dsn])
        let row = list.lines.first { $0.hasPrefix(setup.slot + " ") } ?? ""
        // name, plugin, type, database, active, restart_lsn, confirmed_flush_lsn, retained bytes
        let fields = row.split(separator: " ", omittingEmptySubsequences: true)
        let confirmed = fields.count == 8 ? LSN(String(fields[6])) : nil
        #expect(confirmed != nil && confirmed.map { $0 > before } == true, "confirmed_flush_lsn did not advance from \(before): \(row)")
        #expect(confirmed == (try setup.confirmedFlush()))
    }

    @Test func sigkillWithTheFileSinkLeavesEveryRowExactlyOnce() throws {
        let setup = try Self.setUp()
        defer { setup.remove() }
        let writer = TableWriter(dsn: setup.dsn)
        writer.start()
        let path = "\(setup.scratch)/changes.jsonl"
        let arguments = ["--sink", "file:\(path)", "--rotate-size", "64K", "--status-interval", "0.2"]
        _ = try Self.cycle(setup, arguments: arguments, cycles: 20, signal: SIGKILL, expectedExit: 137)
        _ = try writer.stop()
        let final = try Self.drain(setup, arguments: arguments)
        #expect(final.isEmpty, "the file sink writes nothing to stdout")

        let rotated = try FileManager.default.contentsOfDirectory(atPath: setup.scratch)
            .filter { $0.hasPrefix("changes.jsonl.") }.sorted()
        #expect(rotated.count >= 2, "expected --rotate-size 64K to rotate; files: \(rotated)")
        var text = ""
        for name in rotated + ["changes.jsonl"] {
            text += try String(contentsOfFile: "\(setup.scratch)/\(name)", encoding: .utf8)
        }
        let inserts = try Self.inserts(text, allowTornLastLine: false)
        let keys = inserts.map { "\($0.commitLSN)/\($0.seq)" }
        #expect(Set(keys).count == keys.count, "the file holds \(keys.count - Set(keys).count) duplicate events")
        let expected = try Self.expectedIDs(setup)
        let ids = inserts.map(\.id)
        #expect(ids.count == expected.count, "the file holds \(ids.count) rows, the table \(expected.count)")
        let firstDifference = zip(ids, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(firstDifference == nil, "the file's rows differ from the table's from position \(firstDifference ?? 0)")
        // Every transaction in the file is closed by its commit line.
        let lines = text.split(separator: "\n")
        #expect(lines.last?.hasPrefix(#"{"op":"commit""#) == true)
    }

    @Test func sigtermStopsCleanlyAndRepeatsNothing() throws {
        let setup = try Self.setUp()
        defer { setup.remove() }
        let writer = TableWriter(dsn: setup.dsn)
        writer.start()
        let arguments = ["--checkpoint", "\(setup.scratch)/checkpoint.json"]
        let outputs = try Self.cycle(setup, arguments: arguments, cycles: 8, signal: SIGTERM, expectedExit: 0)
        _ = try writer.stop()
        let final = try Self.drain(setup, arguments: arguments)
        var runs = try outputs.map { try Self.inserts($0, allowTornLastLine: false) }
        runs.append(try Self.inserts(final, allowTornLastLine: false))
        let repeated = Self.verifyUnion(runs, expected: try Self.expectedIDs(setup))
        let repeatedCount = repeated.reduce(0) { $0 + $1.count }
        #expect(repeatedCount == 0, "a run after SIGTERM repeated transactions: \(repeated)")
    }
}
