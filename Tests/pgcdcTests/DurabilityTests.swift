import Foundation
import TestSupport
import Testing
@testable import PostgresCDC

/// Progress on a quiet slot, heartbeats, and every way the output or the checkpoint can fail:
/// each ends with a clear error, and the server never hears of more than was really written.
@Suite struct DurabilityTests {
    typealias Setup = SlotDatabase

    static func setUp(extraSQL: String = "") throws -> Setup {
        try SlotDatabase.make(
            """
            CREATE TABLE quiet (id int PRIMARY KEY, v text);
            CREATE TABLE busy (id int PRIMARY KEY, v text);
            CREATE PUBLICATION pub FOR TABLE quiet;
            \(extraSQL)
            """)
    }

    /// Runs `pgcdc` through bash so a test can point stdout at a pipe or a device.
    static func shell(_ command: String) throws -> CLIResult {
        try CLIProcess.runProcess("/usr/bin/timeout", ["-s", "KILL", "120", "/bin/bash", "-c", command])
    }

    static func quoted(_ arguments: [String]) -> String {
        arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
    }

    @Test func aQuietSlotStopsHoldingWALWhileUnpublishedTablesAreBusy() throws {
        let setup = try Self.setUp()
        defer { setup.remove() }
        let run = try BackgroundProcess(
            setup.arguments(["--status-interval", "0.3"]), stdoutPath: "\(setup.scratch)/out", stderrPath: "\(setup.scratch)/err")
        defer { run.signal(SIGTERM); _ = run.wait(timeout: 10) }
        let retained =
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint FROM pg_replication_slots WHERE slot_name = '\(setup.slot)'"
        _ = try setup.sql("INSERT INTO busy SELECT g, repeat(md5(g::text), 32) FROM generate_series(1, 50000) g")
        let before = Int(try setup.sql(retained)) ?? 0
        #expect(before > 50 << 20, "the 50 MB write should be retained at first; retained \(before) bytes")
        let dropped = try eventually(timeout: 60) {
            _ = try setup.sql("CHECKPOINT")  // logs the running transactions, which lets restart_lsn move
            return (Int(try setup.sql(retained)) ?? .max) < 16 << 20
        }
        let after = (try? setup.sql(retained)) ?? "?"
        #expect(dropped, "the slot still retains \(after) bytes; stderr: \(run.stderr)")
        #expect(run.stdout.isEmpty, "nothing published changed, yet pgcdc wrote: \(run.stdout.prefix(300))")
    }

    @Test func heartbeatsReachTheSlotAndAreNotWrittenAsEvents() throws {
        let setup = try Self.setUp(extraSQL: "SELECT pg_create_logical_replication_slot('peek_' || current_database(), 'pgoutput');")
        defer { setup.remove() }
        let before = try setup.confirmedFlush()
        let run = try BackgroundProcess(
            setup.arguments(["--heartbeat-interval", "0.2", "--status-interval", "0.2"]),
            stdoutPath: "\(setup.scratch)/out", stderrPath: "\(setup.scratch)/err"
        )
        // The heartbeats are in the WAL, as messages any pgoutput consumer of this database sees...
        let heartbeatCount = """
            SELECT count(*) FROM pg_logical_slot_peek_binary_changes('peek_\(setup.database)', NULL, NULL,
              'proto_version', '1', 'publication_names', 'pub', 'messages', 'true')
            WHERE position('pgcdc.heartbeat'::bytea IN data) > 0
            """
        let emitted = try eventually { (Int(try setup.sql(heartbeatCount)) ?? 0) >= 1 }
        // ...and the slot moves on with them.
        let advanced = try eventually { try setup.confirmedFlush() > before }
        run.signal(SIGTERM)
        #expect(run.wait(timeout: 10) == 0, "stderr: \(run.stderr)")
        #expect(emitted, "no heartbeat message in the WAL; stderr: \(run.stderr)")
        #expect(advanced)
        // ...but pgcdc does not write its own heartbeats.
        #expect(run.stdout.isEmpty, "wrote: \(run.stdout.prefix(300))")
    }

    /// One committed row and the quoted command line that streams it with a checkpoint.
    /// Also returns where the row's transaction starts: positions up to there may be confirmed
    /// (the server's keepalives carry other databases' WAL); the row's transaction must not be.
    static func oneRowCommand(_ setup: Setup) throws -> (command: String, beforeRow: LSN) {
        // Flushed at commit (the test server runs with synchronous_commit off): decoding, and so
        // peeking, reads only flushed WAL.
        try setup.sql("SET synchronous_commit = on; INSERT INTO quiet VALUES (1, 'a')")
        let end = try setup.currentLSN()
        // Where the row's transaction starts, as the slot will decode it (peeking consumes nothing):
        // WAL of other databases may come between any earlier mark and the row, and the server's
        // keepalives may let pgcdc confirm it.
        let first = try setup.sql(
            "SELECT min(lsn) FROM pg_logical_slot_peek_binary_changes('\(setup.slot)', NULL, NULL, 'proto_version', '1', "
                + "'publication_names', 'pub')"
        )
        let mark = try #require(LSN(first), "no change to peek: \(first)")
        return (quoted([CLIProcess.executable] + setup.arguments(["--end-lsn", end, "--checkpoint", "\(setup.scratch)/cp.json"])), mark)
    }

    /// Nothing at or after the unwritten row was confirmed to the server or recorded in the checkpoint.
    static func expectNothingPast(_ mark: LSN, _ setup: Setup) throws {
        #expect(try setup.confirmedFlush() <= mark, "the server was told a position past the unwritten row")
        let saved = try FileCheckpointStore(path: "\(setup.scratch)/cp.json").load()
        #expect((saved?.lsn ?? .zero) <= mark, "the checkpoint moved past the unwritten row: \(String(describing: saved))")
    }

    @Test func aClosedStdoutIsAnErrorAndNothingIsConfirmed() throws {
        let setup = try Self.setUp()
        defer { setup.remove() }
        let (command, beforeRow) = try Self.oneRowCommand(setup)
        // `true` exits at once, so the pipe has no reader when pgcdc writes.
        let result = try Self.shell(
            "sleep 0.2 | true; \(command) 2>\(setup.scratch)/err | true; echo \"${PIPESTATUS[0]}\"; cat \(setup.scratch)/err")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "1", "exit status and stderr: \(result.stdout)")
        #expect(result.stdout.contains("pgcdc: error: cannot write to stdout: Broken pipe"), "\(result.stdout)")
        try Self.expectNothingPast(beforeRow, setup)
    }

    @Test func aFullDeviceOnStdoutIsAnErrorAndNothingIsConfirmed() throws {
        let setup = try Self.setUp()
        defer { setup.remove() }
        let (command, beforeRow) = try Self.oneRowCommand(setup)
        let result = try Self.shell("\(command) > /dev/full")
        #expect(result.status == 1)
        #expect(result.stderr.contains("pgcdc: error: cannot write to stdout: No space left on device"), "\(result.stderr)")
        try Self.expectNothingPast(beforeRow, setup)
    }

    @Test func aMissingCheckpointDirectoryIsRefusedBeforeStreaming() throws {
        let setup = try Self.setUp()
        defer { setup.remove() }
        let result = try CLIProcess.run(setup.arguments(["--checkpoint", "\(setup.scratch)/absent/cp.json"]))
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("checkpoint \(setup.scratch)/absent/cp.json: directory \(setup.scratch)/absent does not exist"),
            "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func aCheckpointDirectoryThatDisappearsStopsTheStreamWithoutConfirmingMore() throws {
        let setup = try Self.setUp()
        defer { setup.remove() }
        let directory = "\(setup.scratch)/cp"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let run = try BackgroundProcess(
            setup.arguments(["--checkpoint", "\(directory)/cp.json", "--status-interval", "0.2"]),
            stdoutPath: "\(setup.scratch)/out", stderrPath: "\(setup.scratch)/err"
        )
        _ = try setup.sql("INSERT INTO quiet VALUES (1, 'a')")
        let first = eventually { (try? FileCheckpointStore(path: "\(directory)/cp.json").load()) != nil }
        try #require(first, "no checkpoint written; stderr: \(run.stderr)")
        let saved = try #require(try FileCheckpointStore(path: "\(directory)/cp.json").load())
        try FileManager.default.removeItem(atPath: directory)
        _ = try setup.sql("INSERT INTO quiet VALUES (2, 'b')")
        let status = run.wait(timeout: 30)
        #expect(status == 1, "stderr: \(run.stderr)")
        // Which step fails depends on when the directory goes: creating the new file, or renaming it into place.
        let named = ["cannot create", "cannot rename"].contains {
            run.stderr.contains("pgcdc: error: checkpoint \(directory)/cp.json: \($0)")
        }
        #expect(named, "\(run.stderr)")
        #expect(try setup.confirmedFlush() <= saved.lsn, "the server was told more than the checkpoint holds")
    }

    @Test func aCheckpointOfAnotherSlotOrClusterIsRefused() throws {
        let setup = try Self.setUp()
        defer { setup.remove() }
        let store = FileCheckpointStore(path: "\(setup.scratch)/cp.json")
        try store.save(Checkpoint(lsn: LSN(1), slot: "other", systemIdentifier: "1", timeline: 1))
        let otherSlot = try CLIProcess.run(setup.arguments(["--checkpoint", store.path]))
        #expect(otherSlot.status == 1)
        #expect(otherSlot.stderr.contains("belongs to slot \"other\", not \"\(setup.slot)\""), "\(otherSlot.stderr)")

        try store.save(Checkpoint(lsn: LSN(1), slot: setup.slot, systemIdentifier: "1", timeline: 1))
        let otherCluster = try CLIProcess.run(setup.arguments(["--checkpoint", store.path]))
        #expect(otherCluster.status == 1)
        #expect(
            otherCluster.stderr.contains("but the checkpoint or output file was taken on 1: refusing to resume"), "\(otherCluster.stderr)")
    }

    /// Issue 16, defect 6: `--slot` misspelt with `--create-slot` and the real slot's checkpoint
    /// file: refused in the CLI's words before a slot is created (no new slot, no new snapshot).
    @Test func aMisspeltSlotWithCreateSlotIsRefusedAndCreatesNoSlot() throws {
        let setup = try Self.setUp()
        defer { setup.remove() }
        let store = FileCheckpointStore(path: "\(setup.scratch)/cp.json")
        try store.save(Checkpoint(lsn: LSN(1), slot: setup.slot, systemIdentifier: "1", timeline: 1))
        let typo = "typo_\(setup.slot)"
        let run = try CLIProcess.run([
            "stream", "--dsn", setup.dsn, "--slot", typo, "--publication", "pub", "--create-slot", "--checkpoint", store.path,
        ])
        #expect(run.status == 1)
        #expect(
            run.stderr.contains(
                "pgcdc: error: checkpoint \(store.path): belongs to slot \"\(setup.slot)\", not \"\(typo)\"; is --slot misspelt? "
                    + "Pass --slot \(setup.slot) to resume it"), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(try setup.sql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\(typo)'") == "0")
    }

    @Test func aFullDiskUnderTheFileSinkIsAnErrorAndTheFileStaysConsistent() throws {
        let setup = try Self.setUp()
        defer { setup.remove() }
        let mountPoint = "\(setup.scratch)/small"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mounted = try CLIProcess.runProcess("/bin/mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mountPoint]).status == 0
        defer { if mounted { _ = try? CLIProcess.runProcess("/bin/umount", [mountPoint]) } }
        let path = "\(mountPoint)/out.jsonl"
        let beforeRows = LSN(try setup.currentLSN()) ?? .zero
        for batch in 0..<20 {
            _ = try setup.sql(
                "INSERT INTO quiet SELECT g, repeat('x', 200) FROM generate_series(\(batch * 100 + 1), \(batch * 100 + 100)) g")
        }
        let end = try setup.currentLSN()
        var command = Self.quoted([CLIProcess.executable] + setup.arguments(["--sink", "file:\(path)", "--end-lsn", end]))
        if !mounted {
            // Without mount rights: a file size limit makes write(2) fail the same way (EFBIG).
            command = "prlimit --fsize=262144 " + command
        }
        let result = try Self.shell(command)
        #expect(result.status == 1, "stderr: \(result.stderr)")
        let reason = mounted ? "No space left on device" : "File too large"
        #expect(result.stderr.contains("pgcdc: error: cannot write to \(path): \(reason)"), "\(result.stderr)")
        // What the file holds, as its next run would recover it, covers everything the server was told.
        let sink = FileSink(configuration: FileSink.Configuration(path: path))
        let recovered = try sink.open() ?? .zero
        try sink.close()
        // (Positions before the first row may be confirmed: keepalives carry other databases' WAL.)
        #expect(try setup.confirmedFlush() <= max(recovered, beforeRows), "the server was told more than the file holds")
    }
}

/// A consumer that stops reading leaves pgcdc blocked in a write: the first signal cannot finish the
/// flush, the second exits at once — and the checkpoint is still not ahead of what was written.
@Suite struct SecondSignalTests {
    @Test func aSecondSignalExitsAtOnceWithTheCheckpointNotAheadOfTheOutput() throws {
        let setup = try DurabilityTests.setUp()
        defer { setup.remove() }
        for batch in 0..<20 {
            _ = try setup.sql(
                "INSERT INTO quiet SELECT g, repeat('y', 300) FROM generate_series(\(batch * 100 + 1), \(batch * 100 + 100)) g")
        }
        let fifo = "\(setup.scratch)/fifo"
        try #require(mkfifo(fifo, 0o600) == 0)
        // A reader that never reads: the pipe fills (64 KiB) and pgcdc blocks writing.
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        try #require(reader >= 0)
        defer { close(reader) }
        let checkpoint = "\(setup.scratch)/cp.json"
        let run = try BackgroundProcess(
            setup.arguments(["--checkpoint", checkpoint, "--transactions"]), stdoutPath: fifo, stderrPath: "\(setup.scratch)/err"
        )
        usleep(1_500_000)
        run.signal(SIGTERM)
        usleep(300_000)
        run.signal(SIGTERM)
        let status = run.wait(timeout: 3)
        #expect(status == 130, "exit \(String(describing: status)); stderr: \(run.stderr)")

        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(reader, &chunk, chunk.count)
            if count <= 0 { break }
            output += chunk[0..<count]
        }
        #expect(output.count >= 60_000, "pgcdc should have filled the pipe; got \(output.count) bytes")
        // The last commit line that really reached the pipe.
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        let lastEnd =
            lines.compactMap { line -> LSN? in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    object["op"] as? String == "commit", let end = object["end_lsn"] as? String
                else { return nil }
                return LSN(end)
            }.last ?? .zero
        let saved = try FileCheckpointStore(path: checkpoint).load()?.lsn ?? .zero
        #expect(saved <= lastEnd, "checkpoint \(saved) is ahead of the output's last commit \(lastEnd)")
        #expect(try setup.confirmedFlush() <= lastEnd, "the server was told more than was written")
    }
}
