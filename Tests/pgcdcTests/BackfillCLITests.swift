import Foundation
import PostgresCDCTesting
import TestSupport
import Testing
@testable import PostgresCDC

/// `pgcdc backfill` and `pgcdc stream --backfill…` against a real server: applying the output in
/// order to an empty table reproduces the source, whatever a writer does meanwhile.
@Suite struct BackfillCLITests {
    /// `bf (id bigint PRIMARY KEY, v int, note text)` with `rows` rows, every 100th with an
    /// incompressible 6,400-character note (stored out of line), published as `pub`, and a slot.
    static func setUp(rows: Int, extra: String = "") throws -> SlotDatabase {
        try SlotDatabase.make(
            """
            CREATE TABLE bf (id bigint PRIMARY KEY, v int NOT NULL, note text);
            ALTER TABLE bf ALTER COLUMN note SET STORAGE EXTERNAL;
            INSERT INTO bf SELECT g, g % 7, CASE WHEN g % 100 = 0 THEN \(Self.bigNote) ELSE 'n' || g END
            FROM generate_series(1, \(rows)) g;
            \(extra)
            CREATE PUBLICATION pub FOR TABLE bf;
            """)
    }

    /// 6,400 hexadecimal characters that do not compress (200 md5s of random numbers).
    static let bigNote = "(SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 200))"

    /// The table as `id → "v|note"`.
    static func source(_ setup: SlotDatabase, table: String = "bf") throws -> [Int: String] {
        var rows: [Int: String] = [:]
        for line in try setup.sql("SELECT id, v, coalesce(note, '<null>') FROM \(table)").split(separator: "\n") {
            let parts = line.split(separator: "|", maxSplits: 1)
            guard parts.count == 2, let id = Int(parts[0]) else { continue }
            rows[id] = String(parts[1])
        }
        return rows
    }

    /// Applies the JSON lines in order to an empty table (`id → "v|note"`), the way an upserting
    /// consumer does: reads and inserts upsert, updates move the row when its key changed and keep
    /// an unchanged TOAST value, deletes remove it.
    static func replay(_ output: String, table: String = "bf") throws -> (rows: [Int: String], reads: [String: Int]) {
        var rows: [Int: [String: String]] = [:]
        var reads: [String: Int] = [:]
        for line in output.split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let op = object["op"] as? String, object["table"] as? String == table
            else { continue }
            func values(_ name: String) -> [String: String]? {
                guard let row = object[name] as? [String: Any] else { return nil }
                var values: [String: String] = [:]
                for (column, value) in row {
                    values[column] = value is NSNull ? "<null>" : "\(value)"
                }
                return values
            }
            let new = values("new")
            let oldID = values("old")?["id"].flatMap { Int($0) }
            let newID = new?["id"].flatMap { Int($0) }
            switch op {
            case "read", "insert":
                guard let newID, let new else { continue }
                rows[newID] = new
                if op == "read", let backfill = object["backfill"] as? String { reads["\(backfill):\(newID)", default: 0] += 1 }
            case "update":
                guard let newID, var new else { continue }
                let previous = oldID.flatMap { rows.removeValue(forKey: $0) } ?? rows[newID]
                for column in object["unchanged_toast"] as? [String] ?? [] {
                    // A row the consumer does not hold yet keeps its gap: a later read fills it.
                    new[column] = previous?[column] ?? "<unknown>"
                }
                rows[newID] = new
            case "delete":
                if let oldID { rows[oldID] = nil }
            default:
                continue
            }
        }
        var result: [Int: String] = [:]
        for (id, row) in rows { result[id] = "\(row["v"] ?? "?")|\(row["note"] ?? "?")" }
        return (result, reads)
    }

    /// Changes random rows of `bf` on its own connection until stopped: updates of `v` (which
    /// leave the note's TOAST value out of the event), of the note, of the key, deletes, inserts.
    final class Writer: @unchecked Sendable {
        private let lock = NSLock()
        private var stopping = false
        private var failure: Error?
        private(set) var statements = 0
        private let done = DispatchSemaphore(value: 0)

        /// Changes at most `limit` times: a stream slowed down by a busy machine still catches up.
        init(dsn: String, rows: Int, onlyInserts: Bool = false, limit: Int = 4000) {
            Thread { [self] in
                defer { done.signal() }
                do {
                    let connection = try PostgresConnection(dsn: dsn, replication: false)
                    defer { connection.close() }
                    var nextID = 10_000_000
                    while !lock.withLock({ stopping || statements >= limit }) {
                        let id = Int.random(in: 1...rows)
                        let dice = onlyInserts ? 95 : Int.random(in: 0..<100)
                        switch dice {
                        case 0..<45: try connection.query("UPDATE bf SET v = v + 1 WHERE id = \(id)")
                        case 45..<60: try connection.query("UPDATE bf SET note = \(BackfillCLITests.bigNote) WHERE id = \(id)")
                        case 60..<70: try connection.query("UPDATE bf SET id = id + 1000000, v = v + 1 WHERE id = \(id)")
                        case 70..<80: try connection.query("DELETE FROM bf WHERE id = \(id)")
                        case 80..<90:
                            try connection.query(
                                "BEGIN; UPDATE bf SET v = v + 1 WHERE id = \(id); UPDATE bf SET v = v + 1 WHERE id = \(id + 1); COMMIT")
                        default:
                            nextID += 1
                            try connection.query(
                                "INSERT INTO bf VALUES (\(nextID), 1, \(onlyInserts ? "'small'" : BackfillCLITests.bigNote))")
                        }
                        lock.withLock { statements += 1 }
                        usleep(onlyInserts ? 2000 : 300)
                    }
                } catch {
                    lock.withLock { failure = error }
                }
            }.start()
        }

        func stop() throws -> Int {
            lock.withLock { stopping = true }
            done.wait()
            if let failure = lock.withLock({ failure }) { throw failure }
            return lock.withLock { statements }
        }
    }

    /// Emits a marker message and waits until the stream wrote it: everything before is in `file`.
    static func drain(_ setup: SlotDatabase, file: String, marker: String = "test.drained") throws {
        try setup.sql("SELECT pg_logical_emit_message(true, '\(marker)', 'x')")
        #expect(waitFor(marker, in: file))
    }

    /// Waits until `file` contains `text`, reading only what was appended since the last look (a
    /// window over the file's end could miss a line that more output pushed past it while the
    /// machine was busy; reading a large output whole every 50 ms would be the test's main cost).
    static func waitFor(_ text: String, in file: String, timeout: Double = 240) -> Bool {
        let needle = Array(text.utf8)
        var offset: UInt64 = 0
        var carry: [UInt8] = []
        return eventually(timeout: timeout) {
            guard let handle = FileHandle(forReadingAtPath: file) else { return false }
            defer { try? handle.close() }
            try? handle.seek(toOffset: offset)
            guard let data = try? handle.readToEnd(), !data.isEmpty else { return false }
            offset += UInt64(data.count)
            // The bytes kept from the last look catch a text split between two reads.
            let bytes = carry + [UInt8](data)
            carry = Array(bytes.suffix(needle.count))
            return bytes.firstRange(of: needle) != nil
        }
    }

    /// With `killed`, the stream is killed (SIGKILL) half-way and started again.
    @Test(arguments: [false, true]) func aBackfillWhileAWriterChangesTheTableReproducesItExactly(killed: Bool) throws {
        let rows = 200_000
        let setup = try Self.setUp(rows: rows)
        defer { setup.remove() }
        let file = "\(setup.scratch)/out.jsonl"
        // Killed: slowed down, so that the kill comes half-way however busy the machine.
        let arguments = setup.arguments(
            ["--sink", "file:\(file)", "--checkpoint", "\(setup.scratch)/cp"] + (killed ? ["--backfill-rate", "10000"] : []))
        var stream = try BackgroundProcess(arguments, stdoutPath: "/dev/null", stderrPath: "\(setup.scratch)/stream.err")
        let writer = Writer(dsn: setup.dsn, rows: rows)
        usleep(300_000)
        let request = try CLIProcess.run([
            "backfill", "--dsn", setup.dsn, "--slot", setup.slot, "--table", "bf", "--chunk-size", "5000", "--id", "all",
        ])
        #expect(request.status == 0, "\(request.stderr)")
        #expect(request.stdout == "all\n")
        if killed {
            #expect(eventually(timeout: 120) { Self.lines(file, op: "read").count >= 60_000 })
            stream.signal(SIGKILL)
            _ = stream.wait(timeout: 10)
            #expect(Self.lines(file, op: "backfill_completed").isEmpty, "killed after the backfill ended")
            var restarted = false
            for _ in 0..<50 where !restarted {
                stream = try BackgroundProcess(arguments, stdoutPath: "/dev/null", stderrPath: "\(setup.scratch)/again.err")
                restarted = stream.wait(timeout: 1) == nil
            }
            #expect(restarted, "\(stream.stderr)")
        }
        let completed = Self.waitFor("\"op\":\"backfill_completed\"", in: file)
        let statements = try writer.stop()
        #expect(completed, "stderr: \(stream.stderr.suffix(3000))")
        try Self.drain(setup, file: file)
        stream.signal(SIGTERM)
        #expect(stream.wait(timeout: 30) == 0, "\(stream.stderr)")
        let output = try String(contentsOfFile: file, encoding: .utf8)
        let replayed = try Self.replay(output)
        let source = try Self.source(setup)
        #expect(statements > 100, "the writer changed the table during the backfill")
        #expect(replayed.rows.count == source.count)
        let wrong = source.filter { replayed.rows[$0.key] != $0.value }
        let example = wrong.first.map { "\($0.key): \($0.value.prefix(40)) vs \(replayed.rows[$0.key]?.prefix(40) ?? "missing")" }
        #expect(wrong.isEmpty, "\(wrong.count) rows differ, e.g. \(example ?? "")")
        #expect(output.contains("\"op\":\"backfill_started\""))
        let completion = output.split(separator: "\n").first { $0.contains("backfill_completed") } ?? ""
        #expect(completion.contains("\"status\":\"completed\"") && completion.contains("\"backfill\":\"all\""), "\(completion)")
        // The schema check of 200,000 lines would take minutes: every line that is not a read, and 500 reads.
        let lines = output.split(separator: "\n")
        let sample = lines.filter { !$0.hasPrefix("{\"op\":\"read\"") } + lines.filter { $0.hasPrefix("{\"op\":\"read\"") }.prefix(500)
        let validated = try StreamCommandTests.validate(sample.prefix(5000).joined(separator: "\n") + "\n")
        #expect(validated.status == 0, "\(validated.stdout)\(validated.stderr)")
    }

    /// Lines of `file` with `op`.
    static func lines(_ file: String, op: String) -> [Substring] {
        let output = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        return output.split(separator: "\n").filter { $0.hasPrefix("{\"op\":\"\(op)\"") }
    }

    @Test func aBackfillKilledMidwayResumesAfterItsLastStoredChunkAndStoresNoRowTwice() throws {
        let rows = 60_000
        let setup = try Self.setUp(rows: rows)
        defer { setup.remove() }
        let file = "\(setup.scratch)/out.jsonl"
        let arguments = setup.arguments(["--sink", "file:\(file)", "--backfill-rate", "20000"])
        var stream = try BackgroundProcess(arguments, stdoutPath: "/dev/null", stderrPath: "\(setup.scratch)/first.err")
        let writer = Writer(dsn: setup.dsn, rows: rows, onlyInserts: true)
        let request = try CLIProcess.run([
            "backfill", "--dsn", setup.dsn, "--slot", setup.slot, "--table", "public.bf", "--chunk-size", "1000",
        ])
        #expect(request.status == 0, "\(request.stderr)")
        // Some chunks stored, not all: then the stream dies without a word.
        #expect(eventually(timeout: 120) { Self.lines(file, op: "read").count >= 5_000 })
        stream.signal(SIGKILL)
        _ = stream.wait(timeout: 10)
        let readBefore = Self.lines(file, op: "read").count
        #expect(readBefore < rows, "the backfill had not finished when it was killed")
        let listed = try CLIProcess.run(["backfill", "--list", "--sink", "file:\(file)"])
        #expect(listed.status == 0 && listed.stdout.contains("public.bf"), "\(listed.stdout)\(listed.stderr)")
        var restarted = false
        for _ in 0..<50 where !restarted {
            // The killed run's walsender may hold the slot a moment longer.
            stream = try BackgroundProcess(arguments, stdoutPath: "/dev/null", stderrPath: "\(setup.scratch)/second.err")
            restarted = stream.wait(timeout: 1) == nil
        }
        #expect(restarted, "\(stream.stderr)")
        #expect(Self.waitFor("\"op\":\"backfill_completed\"", in: file), "\(stream.stderr)")
        _ = try writer.stop()
        try Self.drain(setup, file: file)
        stream.signal(SIGTERM)
        #expect(stream.wait(timeout: 30) == 0, "\(stream.stderr)")
        #expect(stream.stderr.contains("resuming backfill"), "\(stream.stderr)")
        let output = try String(contentsOfFile: file, encoding: .utf8)
        let replayed = try Self.replay(output)
        #expect(replayed.rows == (try Self.source(setup)))
        // Every row read exactly once, across the two runs (the writer's new rows too, when the backfill got to them).
        let twice = replayed.reads.filter { $0.value > 1 }
        #expect(twice.isEmpty, "\(twice.count) rows read twice, e.g. \(twice.first?.key ?? "")")
        #expect(replayed.reads.keys.filter { Int($0.split(separator: ":").last ?? "").map { $0 <= rows } ?? false }.count == rows)
    }

    @Test func aPartialBackfillReadsOnlyTheRowsItsConditionSelects() throws {
        let setup = try Self.setUp(rows: 5_000)
        defer { setup.remove() }
        let file = "\(setup.scratch)/out.jsonl"
        let stream = try BackgroundProcess(
            setup.arguments(["--sink", "file:\(file)"]), stdoutPath: "/dev/null", stderrPath: "\(setup.scratch)/stream.err")
        let request = try CLIProcess.run([
            "backfill", "--dsn", setup.dsn, "--slot", setup.slot, "--table", "bf", "--where", "id % 10 = 3 AND v < 5", "--chunk-size",
            "100",
        ])
        #expect(request.status == 0, "\(request.stderr)")
        #expect(Self.waitFor("\"op\":\"backfill_completed\"", in: file), "\(stream.stderr)")
        stream.signal(SIGTERM)
        #expect(stream.wait(timeout: 30) == 0)
        let ids = Self.lines(file, op: "read").compactMap { line -> Int? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return ((object["new"] as? [String: Any])?["id"] as? NSNumber)?.intValue
        }
        let expected = try setup.sql("SELECT id FROM bf WHERE id % 10 = 3 AND v < 5 ORDER BY id").split(separator: "\n").compactMap {
            Int($0)
        }
        #expect(ids == expected)
        let completion = Self.lines(file, op: "backfill_completed").first ?? ""
        #expect(
            completion.contains("\"where\":\"id % 10 = 3 AND v < 5\"") && completion.contains("\"rows\":\(expected.count)"), "\(completion)"
        )
    }

    @Test func aTableThatJoinsThePublicationIsBackfilledAndTwoBackfillsRunAtOnce() throws {
        let setup = try Self.setUp(
            rows: 3_000,
            extra:
                "CREATE TABLE other (id int PRIMARY KEY, v int NOT NULL, note text);"
                + " INSERT INTO other SELECT g, g, 'o' FROM generate_series(1, 2000) g;"
        )
        defer { setup.remove() }
        try setup.sql("ALTER PUBLICATION pub ADD TABLE other")
        let file = "\(setup.scratch)/out.jsonl"
        let stream = try BackgroundProcess(
            setup.arguments([
                "--sink", "file:\(file)", "--backfill", "bf,public.other", "--backfill-new-tables", "--backfill-chunk-size", "500",
            ]),
            stdoutPath: "/dev/null", stderrPath: "\(setup.scratch)/stream.err")
        #expect(eventually(timeout: 120) { Self.lines(file, op: "backfill_completed").count == 2 }, "\(stream.stderr)")
        try setup.sql(
            "CREATE TABLE late (id int PRIMARY KEY, v int NOT NULL, note text);"
                + " INSERT INTO late SELECT g, g, 'l' FROM generate_series(1, 1500) g;"
                + "ALTER PUBLICATION pub ADD TABLE late;")
        #expect(eventually(timeout: 120) { Self.lines(file, op: "backfill_completed").count == 3 }, "\(stream.stderr)")
        stream.signal(SIGTERM)
        #expect(stream.wait(timeout: 30) == 0)
        let completions = Self.lines(file, op: "backfill_completed").joined(separator: "\n")
        for (table, rows) in [("public.bf", 3_000), ("public.other", 2_000), ("public.late", 1_500)] {
            #expect(
                completions.contains("\"table\":\"\(table)\",\"where\":null,\"status\":\"completed\",\"rows\":\(rows)"), "\(completions)")
        }
        #expect(Self.lines(file, op: "read").count == 6_500)
    }

    @Test func aTableWithoutPrimaryKeyIsRefusedNamingIt() throws {
        let setup = try Self.setUp(rows: 10, extra: "CREATE TABLE nokey (v int); ALTER TABLE nokey REPLICA IDENTITY FULL;")
        defer { setup.remove() }
        try setup.sql("ALTER PUBLICATION pub ADD TABLE nokey")
        let refused = try CLIProcess.run(["backfill", "--dsn", setup.dsn, "--slot", setup.slot, "--table", "nokey"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("cannot backfill public.nokey: it has no primary key"), "\(refused.stderr)")
        let missing = try CLIProcess.run(["backfill", "--dsn", setup.dsn, "--slot", setup.slot, "--table", "nosuch"])
        #expect(missing.status != 0 && missing.stderr.contains("cannot backfill public.nosuch: no such table"), "\(missing.stderr)")
        let badCondition = try CLIProcess.run([
            "backfill", "--dsn", setup.dsn, "--slot", setup.slot, "--table", "bf", "--where", "nope > 1",
        ])
        #expect(badCondition.status != 0 && badCondition.stderr.contains("column \"nope\" does not exist"), "\(badCondition.stderr)")
        // A role that may not read the table is told so before anything is sent.
        let role = "nobody_\(setup.database)"
        try setup.sql("CREATE ROLE \(role) LOGIN")
        let nobody = setup.dsn + " user=\(role)"
        let unreadable = try CLIProcess.run(["backfill", "--dsn", nobody, "--slot", setup.slot, "--table", "bf"])
        #expect(unreadable.status != 0 && unreadable.stderr.contains("this role may not read it (GRANT SELECT ON"), "\(unreadable.stderr)")
        try setup.sql("GRANT SELECT ON bf TO \(role); REVOKE EXECUTE ON FUNCTION pg_logical_emit_message(boolean, text, text) FROM PUBLIC")
        let silent = try CLIProcess.run(["backfill", "--dsn", nobody, "--slot", setup.slot, "--table", "bf"])
        try setup.sql("GRANT EXECUTE ON FUNCTION pg_logical_emit_message(boolean, text, text) TO PUBLIC")
        #expect(silent.status != 0 && silent.stderr.contains("may not call pg_logical_emit_message"), "\(silent.stderr)")
        let noSlot = try CLIProcess.run(["backfill", "--dsn", setup.dsn, "--slot", "nosuchslot", "--table", "bf"])
        #expect(noSlot.status != 0 && noSlot.stderr.contains("nosuchslot"), "\(noSlot.stderr)")
        let file = "\(setup.scratch)/out.jsonl"
        let stream = try BackgroundProcess(
            setup.arguments(["--sink", "file:\(file)", "--backfill", "nokey"]), stdoutPath: "/dev/null",
            stderrPath: "\(setup.scratch)/stream.err")
        #expect(Self.waitFor("\"op\":\"backfill_completed\"", in: file), "\(stream.stderr)")
        stream.signal(SIGTERM)
        #expect(stream.wait(timeout: 30) == 0)
        let line = Self.lines(file, op: "backfill_completed").first ?? ""
        #expect(line.contains("\"status\":\"refused\"") && line.contains("table public.nokey has no primary key"), "\(line)")
    }

    @Test func aBackfillIsListedAndCancelled() throws {
        let setup = try Self.setUp(rows: 50_000)
        defer { setup.remove() }
        let file = "\(setup.scratch)/out.jsonl"
        let checkpoint = "\(setup.scratch)/cp"
        let stream = try BackgroundProcess(
            setup.arguments(["--checkpoint", checkpoint, "--backfill-rate", "2000"]), stdoutPath: file,
            stderrPath: "\(setup.scratch)/stream.err")
        let request = try CLIProcess.run([
            "backfill", "--dsn", setup.dsn, "--slot", setup.slot, "--table", "bf", "--id", "slow", "--chunk-size", "500",
        ])
        #expect(request.status == 0, "\(request.stderr)")
        #expect(eventually(timeout: 60) { Self.lines(file, op: "read").count >= 1_000 })
        let listed = try CLIProcess.run(["backfill", "--list", "--checkpoint", checkpoint])
        #expect(listed.stdout.contains("slow") && listed.stdout.contains("public.bf"), "\(listed.stdout)\(listed.stderr)")
        let cancelled = try CLIProcess.run(["backfill", "--dsn", setup.dsn, "--slot", setup.slot, "--cancel", "slow"])
        #expect(cancelled.status == 0, "\(cancelled.stderr)")
        #expect(Self.waitFor("\"status\":\"cancelled\"", in: file), "\(stream.stderr)")
        stream.signal(SIGTERM)
        #expect(stream.wait(timeout: 30) == 0)
        #expect(Self.lines(file, op: "read").count < 50_000)
        let after = try CLIProcess.run(["backfill", "--list", "--checkpoint", checkpoint])
        #expect(!after.stdout.contains("public.bf") && after.stdout.contains("finished: slow"), "\(after.stdout)")
    }

    @Test func progressIsInTheMetricsAndATableThatLeavesThePublicationEndsTheBackfill() throws {
        let setup = try Self.setUp(rows: 20_000, extra: "ANALYZE bf;")
        defer { setup.remove() }
        let port = try FreePort.find()
        let file = "\(setup.scratch)/out.jsonl"
        let stream = try BackgroundProcess(
            setup.arguments([
                "--metrics-addr", "127.0.0.1:\(port)", "--backfill", "bf", "--backfill-rate", "1000", "--backfill-chunk-size", "500",
            ]),
            stdoutPath: file, stderrPath: "\(setup.scratch)/stream.err")
        // Reading at 1,000 rows/s: still going when the table leaves the publication (a scrape takes up to 5 s).
        var scraped = ""
        #expect(
            eventually(timeout: 60) {
                scraped = MetricsTests.scrape(port: port) ?? ""
                return scraped.contains("pgcdc_backfill_rows_total{table=\"public.bf\"}")
            })
        let remaining = scraped.split(separator: "\n").first { $0.hasPrefix("pgcdc_backfill_rows_remaining{") } ?? ""
        let value = Double(remaining.split(separator: " ").last ?? "") ?? 0
        #expect(remaining.contains("backfill=\"start-public.bf\"") && value > 0 && value < 20_000, "\(remaining)")
        try setup.sql("ALTER PUBLICATION pub DROP TABLE bf")
        #expect(Self.waitFor("\"op\":\"backfill_completed\"", in: file), "\(stream.stderr)")
        let line = Self.lines(file, op: "backfill_completed").first ?? ""
        #expect(line.contains("\"status\":\"aborted\"") && line.contains("is not in publication pub any more"), "\(line) \(stream.stderr)")
        let rows = Self.lines(file, op: "read").count
        #expect(rows > 0 && rows < 20_000 && line.contains("\"rows\":\(rows)"), "\(line)")
        stream.signal(SIGTERM)
        #expect(stream.wait(timeout: 30) == 0, "\(stream.stderr)")
    }

    @Test func inDebeziumFormatABackfilledRowIsAnIncrementalSnapshotRead() throws {
        let setup = try Self.setUp(rows: 300)
        defer { setup.remove() }
        let file = "\(setup.scratch)/out.jsonl"
        let stream = try BackgroundProcess(
            setup.arguments(["--format", "debezium", "--backfill", "bf"]), stdoutPath: file, stderrPath: "\(setup.scratch)/stream.err")
        #expect(
            eventually(timeout: 60) { ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n").count >= 300 })
        stream.signal(SIGTERM)
        #expect(stream.wait(timeout: 30) == 0)
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 300, "the backfill's start and end have no Debezium line")
        for line in lines {
            #expect(line.contains("\"snapshot\":\"incremental\"") && line.contains("\"op\":\"r\""), "\(line)")
        }
    }
}
