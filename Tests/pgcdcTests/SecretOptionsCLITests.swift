import Foundation
import TestSupport
import Testing
@testable import PostgresCDC

/// Secrets off the command line: `--dsn-file` and `--nats-token-file`, and the warnings when a
/// password or token is on the command line or in a file other users can read. No warning repeats the secret.
@Suite struct SecretOptionsCLITests {
    static let unreachable = "host=127.0.0.1 port=1 connect_timeout=2"

    /// A scratch directory holding `name` with `text` and `mode`; returns the file's path.
    func file(_ name: String, _ text: String, mode: mode_t) throws -> (path: String, directory: String) {
        let directory = NSTemporaryDirectory() + "pgcdc-secrets-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, mode)
        return (path, directory)
    }

    @Test func theConnectionStringIsReadFromDSNFile() throws {
        let prepared = try StreamCommandTests.prepare(workload: ["INSERT INTO orders (id, item, qty) VALUES (1, 'tea', 2)"])
        let (path, directory) = try file("dsn", prepared.dsn + "\n", mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try CLIProcess.run([
            "stream", "--dsn-file", path, "--slot", prepared.slot, "--publication", "pub", "--end-lsn", prepared.endLSN,
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("\"tea\""))
        #expect(!result.stderr.contains("warning"), "\(result.stderr)")
    }

    @Test func dsnAndDSNFileTogetherAreRefused() throws {
        let (path, directory) = try file("dsn", Self.unreachable, mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try CLIProcess.run(["slot", "list", "--dsn", Self.unreachable, "--dsn-file", path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--dsn and --dsn-file both give the connection string"), "\(result.stderr)")
    }

    @Test func aMissingDSNFileIsNamed() throws {
        let result = try CLIProcess.run(["status", "--dsn-file", "/nonexistent-pgcdc/dsn", "--slot", "s"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--dsn-file /nonexistent-pgcdc/dsn: cannot be read"), "\(result.stderr)")
    }

    @Test func aPasswordOnTheCommandLineWarnsWithoutRepeatingIt() throws {
        for dsn in ["--dsn", "--dsn="] {
            let arguments =
                dsn == "--dsn"
                ? ["--dsn", Self.unreachable + " password=sekrit-42"] : ["--dsn=postgresql://cdc:sekrit-42@127.0.0.1:1/app"]
            let result = try CLIProcess.run(["slot", "list"] + arguments, timeout: 30)
            #expect(result.stderr.contains("warning: the password in --dsn is visible to every user"), "\(result.stderr)")
            #expect(!result.stderr.contains("sekrit-42"), "\(result.stderr)")
        }
        let withoutPassword = try CLIProcess.run(["slot", "list", "--dsn", Self.unreachable], timeout: 30)
        #expect(!withoutPassword.stderr.contains("warning"), "\(withoutPassword.stderr)")
    }

    @Test func aDSNFileWithAPasswordThatOthersCanReadWarns() throws {
        let (path, directory) = try file("dsn", Self.unreachable + " password=sekrit-42\n", mode: 0o644)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let open = try CLIProcess.run(["slot", "list", "--dsn-file", path], timeout: 30)
        #expect(open.stderr.contains("warning: \(path) holds a password and other users can read it; run chmod 600 \(path)"))
        #expect(!open.stderr.contains("sekrit-42"), "\(open.stderr)")
        #expect(!open.stderr.contains("visible to every user"), "\(open.stderr)")
        chmod(path, 0o600)
        let closed = try CLIProcess.run(["slot", "list", "--dsn-file", path], timeout: 30)
        #expect(!closed.stderr.contains("warning"), "\(closed.stderr)")
    }

    @Test func aConfigFileWithAPasswordThatOthersCanReadWarns() throws {
        let (path, directory) = try file("pgcdc.toml", "dsn = \"\(Self.unreachable) password=sekrit-42\"\n", mode: 0o640)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let open = try CLIProcess.run(["slot", "list", "--config", path], timeout: 30)
        #expect(open.stderr.contains("warning: \(path) holds a password and other users can read it; run chmod 600 \(path)"))
        #expect(!open.stderr.contains("sekrit-42"), "\(open.stderr)")
        #expect(!open.stderr.contains("visible to every user"), "a config file is not the command line: \(open.stderr)")
        chmod(path, 0o600)
        let closed = try CLIProcess.run(["slot", "list", "--config", path], timeout: 30)
        #expect(!closed.stderr.contains("warning"), "\(closed.stderr)")
    }

    @Test func aNATSTokenOnTheCommandLineOrInAnOpenFileWarnsAndBothTogetherAreRefused() throws {
        let (path, directory) = try file("token", "t0ken-42\n", mode: 0o644)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let stream = [
            "stream", "--dsn", Self.unreachable, "--slot", "s", "--publication", "p", "--sink", "nats://127.0.0.1:1", "--nats-stream", "S",
        ]
        let onCommandLine = try CLIProcess.run(stream + ["--nats-token", "t0ken-42"], timeout: 30)
        #expect(onCommandLine.stderr.contains("warning: --nats-token is visible to every user"), "\(onCommandLine.stderr)")
        #expect(!onCommandLine.stderr.contains("t0ken-42"))
        let inFile = try CLIProcess.run(stream + ["--nats-token-file", path], timeout: 30)
        #expect(inFile.stderr.contains("warning: \(path) holds a NATS token and other users can read it"), "\(inFile.stderr)")
        #expect(!inFile.stderr.contains("t0ken-42"))
        let both = try CLIProcess.run(stream + ["--nats-token", "x", "--nats-token-file", path], timeout: 30)
        #expect(both.status != 0)
        #expect(both.stderr.contains("--nats-token and --nats-token-file both give the token"), "\(both.stderr)")
    }
}
