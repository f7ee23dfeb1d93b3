import Foundation
import TestSupport
import Testing
@testable import PostgresCDC

/// `--snapshot`: the rows that exist, then every change, with no gap and no duplicate.
@Suite struct SnapshotTests {
    static let schema = """
        CREATE TABLE big (id int PRIMARY KEY, v text);
        INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 200000) g;
        CREATE TABLE empty (id int PRIMARY KEY);
        CREATE TABLE parted (id int, region text, v text, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
        CREATE TABLE parted_eu PARTITION OF parted FOR VALUES IN ('eu');
        CREATE TABLE parted_us PARTITION OF parted FOR VALUES IN ('us');
        INSERT INTO parted SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END, 'p' || g FROM generate_series(1, 1000) g;
        CREATE TABLE filtered (id int PRIMARY KEY, kind text);
        ALTER TABLE filtered REPLICA IDENTITY FULL;  -- a row filter's columns must be in the replica identity
        INSERT INTO filtered SELECT g, CASE WHEN g % 3 = 0 THEN 'keep' ELSE 'drop' END FROM generate_series(1, 3000) g;
        CREATE TABLE cols (id int PRIMARY KEY, secret text, visible text);
        INSERT INTO cols SELECT g, 's' || g, 'v' || g FROM generate_series(1, 500) g;
        CREATE PUBLICATION pub FOR TABLE big, empty, parted, filtered WHERE (kind = 'keep'), cols (id, visible)
          WITH (publish_via_partition_root = true);
        """

    /// Primary keys, by table.
    static let primaryKeys = [
        "public.big": ["id"], "public.parted": ["id", "region"], "public.filtered": ["id"], "public.cols": ["id"], "public.empty": ["id"],
    ]

    /// The tables as a consumer rebuilds them from the events: primary key → the row's JSON object.
    static func replay(_ lines: [Substring]) throws -> [String: [String: [String: Any]]] {
        var tables: [String: [String: [String: Any]]] = [:]
        func key(_ row: [String: Any], _ names: [String]) -> String { names.map { "\(row[$0] ?? "nil")" }.joined(separator: "|") }
        for line in lines {
            let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let op = event["op"] as? String ?? ""
            if op == "truncate" || op == "snapshot" || op == "message" { continue }
            let table = "\(event["schema"] ?? "").\(event["table"] ?? "")"
            let names = primaryKeys[table] ?? []
            if let old = event["old"] as? [String: Any] { tables[table, default: [:]][key(old, names)] = nil }
            if let new = event["new"] as? [String: Any] { tables[table, default: [:]][key(new, names)] = new }
        }
        return tables
    }

    /// The same, read from the database.
    static func current(_ setup: SlotDatabase, _ table: String, key: String, columns: String, filter: String = "true") throws -> [String:
        String]
    {
        let rows = try setup.sql("SELECT \(key), \(columns) FROM \(table) WHERE \(filter)")
        var result: [String: String] = [:]
        for row in rows.split(separator: "\n") {
            let fields = row.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            let keyCount = key.split(separator: ",").count
            result[fields.prefix(keyCount).joined(separator: "|")] = fields.dropFirst(keyCount).joined(separator: "|")
        }
        return result
    }

    static func streamed(_ replayed: [String: [String: [String: Any]]], _ table: String, columns: [String]) -> [String: String] {
        (replayed[table] ?? [:]).mapValues { row in columns.map { "\(row[$0] ?? "")" }.joined(separator: "|") }
    }

    /// Runs statements on its own connection, on its own thread, until stopped.
    final class Writer: @unchecked Sendable {
        private let lock = NSLock()
        private var stopping = false
        private var failure: Error?
        private let done = DispatchSemaphore(value: 0)

        init(dsn: String) {
            Thread { [self] in
                defer { done.signal() }
                do {
                    let connection = try PostgresConnection(dsn: dsn, replication: false)
                    defer { connection.close() }
                    var round = 0
                    while !lock.withLock({ stopping }) {
                        round += 1
                        try connection.query("BEGIN")
                        try connection.query("INSERT INTO big VALUES (\(200_000 + round), 'new \(round)')")
                        try connection.query("UPDATE big SET v = 'changed \(round)' WHERE id = \(round * 37 % 200_000 + 1)")
                        try connection.query("DELETE FROM big WHERE id = \(round * 53 % 200_000 + 1)")
                        try connection.query(
                            "UPDATE filtered SET kind = CASE kind WHEN 'keep' THEN 'drop' ELSE 'keep' END WHERE id = \(round % 3000 + 1)")
                        try connection.query("INSERT INTO parted VALUES (\(1000 + round), 'eu', 'new')")
                        try connection.query("UPDATE cols SET visible = 'w\(round)', secret = 'x' WHERE id = \(round % 500 + 1)")
                        try connection.query("COMMIT")
                        usleep(2000)
                    }
                } catch {
                    lock.withLock { failure = error }
                }
            }.start()
        }

        func stop() throws {
            lock.withLock { stopping = true }
            done.wait()
            if let failure = lock.withLock({ failure }) { throw failure }
        }
    }

    static func setUp() throws -> SlotDatabase {
        let (server, database) = try TestServer.freshDatabase()
        try server.psql(schema, database: database)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("pgcdc-snap-\(database)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        return SlotDatabase(server: server, database: database, scratch: scratch)
    }

    /// Streams until the slot confirmed everything up to the current WAL position, then stops pgcdc.
    static func finish(_ run: BackgroundProcess, _ setup: SlotDatabase) throws {
        let end = try #require(LSN(try setup.currentLSN()))
        let caughtUp = try eventually(timeout: 90) { try setup.confirmedFlush() >= end || run.wait(timeout: 0) != nil }
        #expect(caughtUp, "pgcdc did not catch up; stderr: \(run.stderr)")
        run.signal(SIGTERM)
        #expect(run.wait(timeout: 10) == 0, "stderr: \(run.stderr)")
    }

    static func verify(_ lines: [Substring], _ setup: SlotDatabase) throws {
        let replayed = try replay(lines)
        #expect(streamed(replayed, "public.big", columns: ["v"]) == (try current(setup, "big", key: "id", columns: "v")))
        #expect(replayed["public.empty"] == nil)
        #expect(streamed(replayed, "public.parted", columns: ["v"]) == (try current(setup, "parted", key: "id,region", columns: "v")))
        #expect(
            streamed(replayed, "public.filtered", columns: ["kind"])
                == (try current(setup, "filtered", key: "id", columns: "kind", filter: "kind = 'keep'")))
        #expect(streamed(replayed, "public.cols", columns: ["visible"]) == (try current(setup, "cols", key: "id", columns: "visible")))
        #expect(!lines.contains { $0.contains("\"secret\"") }, "a column outside the publication's column list was written")
    }

    @Test func theSnapshotAndTheChangesAfterItRebuildEveryTableWhileAWriterRuns() throws {
        let setup = try Self.setUp()
        defer { setup.remove() }
        let writer = Writer(dsn: setup.dsn)
        let run = try BackgroundProcess(
            [
                "stream", "--dsn", setup.dsn, "--slot", setup.slot, "--publication", "pub", "--create-slot", "--snapshot-jobs", "3",
                "--status-interval", "0.2", "--progress",
            ],
            stdoutPath: "\(setup.scratch)/out", stderrPath: "\(setup.scratch)/err"
        )
        usleep(2_000_000)
        try writer.stop()
        try Self.finish(run, setup)
        let lines = run.stdout.split(separator: "\n")
        let reads = lines.filter { $0.hasPrefix(#"{"op":"read""#) }.count
        let snapshotLine = try #require(lines.first { $0.hasPrefix(#"{"op":"snapshot""#) })
        #expect(snapshotLine.contains("\"tables\":5"))
        #expect(snapshotLine.contains("\"rows\":\(reads)"))
        // Every read comes before the snapshot line, every change after it.
        let boundary = try #require(lines.firstIndex { $0.hasPrefix(#"{"op":"snapshot""#) })
        #expect(lines[..<boundary].allSatisfy { $0.hasPrefix(#"{"op":"read""#) })
        #expect(!lines[boundary...].contains { $0.hasPrefix(#"{"op":"read""#) })
        #expect(run.stderr.contains("snapshot 5/5"), "progress lines: \(run.stderr)")
        try Self.verify(lines, setup)
    }

    @Test func aCrashInTheMiddleOfTheSnapshotLeavesNoSlotAndTheNextRunStartsOver() throws {
        let setup = try Self.setUp()
        defer { setup.remove() }
        let path = "\(setup.scratch)/changes.jsonl"
        let arguments = [
            "stream", "--dsn", setup.dsn, "--slot", setup.slot, "--publication", "pub", "--create-slot", "--sink", "file:\(path)",
            "--status-interval", "0.2",
        ]
        let killed = try BackgroundProcess(arguments, stdoutPath: "\(setup.scratch)/out1", stderrPath: "\(setup.scratch)/err1")
        let copying = eventually(timeout: 30) {
            ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) > 1_000_000
        }
        #expect(copying, "the snapshot did not start; stderr: \(killed.stderr)")
        killed.signal(SIGKILL)
        _ = killed.wait(timeout: 5)
        let slotGone = try eventually(timeout: 30) {
            try setup.sql("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE '\(setup.slot)%'") == "0"
        }
        #expect(slotGone, "a slot survived the crash in the middle of the snapshot")

        let writer = Writer(dsn: setup.dsn)
        let run = try BackgroundProcess(arguments, stdoutPath: "\(setup.scratch)/out2", stderrPath: "\(setup.scratch)/err2")
        usleep(1_000_000)
        try writer.stop()
        try Self.finish(run, setup)
        #expect(run.stderr.contains("cut an incomplete transaction off the end of the file"), "stderr: \(run.stderr)")
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix(#"{"op":"snapshot""#) }.count == 1, "the file must hold exactly one complete snapshot")
        try Self.verify(lines, setup)
    }

    @Test func aTableTheUserMayNotReadIsNamedAndNoSlotIsLeft() throws {
        let setup = try Self.setUp()
        defer { setup.remove() }
        let role = "limited_\(setup.database)"
        _ = try setup.sql(
            """
            CREATE ROLE \(role) LOGIN REPLICATION;
            GRANT SELECT ON big, empty, parted, filtered TO \(role);
            """)
        let dsn = setup.dsn.replacingOccurrences(of: "user=postgres", with: "user=\(role)")
        let result = try CLIProcess.run(["stream", "--dsn", dsn, "--slot", setup.slot, "--publication", "pub", "--create-slot"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("COPY public.cols"), "\(result.stderr)")
        #expect(result.stderr.contains("permission denied"), "\(result.stderr)")
        #expect(try setup.sql("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE '\(setup.slot)%'") == "0")
    }
}
