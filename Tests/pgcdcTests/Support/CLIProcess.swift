import Foundation
import PostgresCDC

/// The result of running the built `pgcdc` binary.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String

    var lines: [String] { stdout.split(separator: "\n").map(String.init) }
}

enum CLIProcess {
    /// The `pgcdc` executable next to the test bundle (the test target depends on it, so it is built).
    static var executable: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("pgcdc").path
    }

    /// The repository root, for `schemas/` and `scripts/`.
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs `pgcdc arguments...` to completion; `timeout` kills it (exit 124) if it hangs.
    static func run(_ arguments: [String], timeout: Int = 120) throws -> CLIResult {
        try runProcess("/usr/bin/timeout", ["-s", "KILL", "\(timeout)", executable] + arguments)
    }

    static func runProcess(_ executable: String, _ arguments: [String], stdin: String? = nil) throws -> CLIResult {
        let output = try ProcessRunner.run(executable, arguments, stdin: stdin)
        return CLIResult(status: output.status, stdout: output.stdout, stderr: output.stderr)
    }
}
