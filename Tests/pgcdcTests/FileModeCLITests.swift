import Foundation
import TestSupport
import Testing
@testable import PostgresCDC

/// `pgcdc stream` run under `umask 000` leaves every file it creates 0600 (or `--file-mode`) and
/// every directory it creates 0700: output file and rotations, origin record, checkpoint, the
/// prepared-transactions directory.
@Suite struct FileModeCLITests {
    /// Streams a workload with every file-writing option on, under `umask 000`, and returns the
    /// mode of every file and directory left in the scratch directory, by relative path.
    func modesLeftByAStream(extraArguments: [String]) throws -> [String: UInt16] {
        // Prepared transactions' names are the cluster's: each run gets its own (the tests run in parallel).
        let gid = "modes-" + UUID().uuidString
        let prepared = try StreamCommandTests.prepare(workload: [
            "INSERT INTO orders (id, item, qty) VALUES (1, 'tea', 2)",
            "INSERT INTO orders (id, item, qty) VALUES (2, 'cake', 1)",
            "BEGIN; INSERT INTO orders (id, item, qty) VALUES (3, 'jam', 1); PREPARE TRANSACTION '\(gid)';",
            "COMMIT PREPARED '\(gid)'",
        ])
        let scratch = NSTemporaryDirectory() + "pgcdc-modes-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let stream = [
            "/usr/bin/timeout", "-s", "KILL", "120", CLIProcess.executable, "stream", "--dsn", prepared.dsn, "--slot", prepared.slot,
            "--publication", "pub", "--end-lsn", prepared.endLSN, "--sink", "file:\(scratch)/changes.jsonl", "--rotate-size", "1",
            "--checkpoint", "\(scratch)/cp.json", "--two-phase", "--streaming", "on", "--spill-dir", scratch, "--on-empty-store",
            "continue",
        ]
        let result = try CLIProcess.runProcess("/bin/sh", ["-c", "umask 000; exec \"$@\"", "sh"] + stream + extraArguments)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        var modes: [String: UInt16] = [:]
        let walker = FileManager.default.enumerator(atPath: scratch)
        while let name = walker?.nextObject() as? String {
            var info = stat()
            guard lstat(scratch + "/" + name, &info) == 0 else { continue }
            modes[name] = UInt16(info.st_mode & 0o7777) | ((info.st_mode & S_IFMT) == S_IFDIR ? 0o10000 : 0)
        }
        return modes
    }

    @Test func underUmask000FilesAreOwnerOnlyAndDirectoriesOwnerOnly() throws {
        let modes = try modesLeftByAStream(extraArguments: [])
        #expect(modes["changes.jsonl"] != nil && modes["changes.jsonl.000001"] != nil, "rotated files expected: \(modes)")
        #expect(modes[".changes.jsonl.pgcdc-origin"] != nil && modes["cp.json"] != nil, "\(modes)")
        #expect(modes["cp.json.prepared"] == 0o10700, "\(modes)")
        for (name, mode) in modes where mode & 0o10000 == 0 {
            #expect(mode == 0o600, "\(name) is \(String(mode, radix: 8))")
        }
    }

    @Test func fileModeGivesAGroupReadAccess() throws {
        let modes = try modesLeftByAStream(extraArguments: ["--file-mode", "0640"])
        #expect(modes["cp.json.prepared"] == 0o10700, "\(modes)")
        for (name, mode) in modes where mode & 0o10000 == 0 {
            // Prepared transactions are internal state in an owner-only directory.
            #expect(mode == (name.hasPrefix("cp.json.prepared/") ? 0o600 : 0o640), "\(name) is \(String(mode, radix: 8))")
        }
        #expect(modes.keys.contains("changes.jsonl.000001"))
    }

    @Test func aFileModeThatLetsOthersWriteIsRefused() throws {
        for mode in ["0666", "0755", "rw"] {
            let result = try CLIProcess.run([
                "stream", "--dsn", "host=127.0.0.1 port=1", "--slot", "s", "--publication", "p", "--file-mode", mode,
            ])
            #expect(result.status != 0)
            #expect(
                result.stderr.contains("'\(mode)' is invalid for '--file-mode <mode>': give an octal mode from 0600 to 0664"),
                "\(result.stderr)")
        }
    }
}
