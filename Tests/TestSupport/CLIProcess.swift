import Foundation
import PostgresCDCTesting

/// The result of running the built `pgcdc` binary.
package struct CLIResult {
    package var status: Int32
    package var stdout: String
    package var stderr: String

    package var lines: [String] { stdout.split(separator: "\n").map(String.init) }
}

package enum CLIProcess {
    /// The `pgcdc` executable next to the test bundle (the test target depends on it, so it is built).
    package static var executable: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("pgcdc").path
    }

    /// The repository root, for `schemas/` and `scripts/`.
    package static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs `pgcdc arguments...` to completion; `timeout` kills it (exit 124) if it hangs.
    package static func run(_ arguments: [String], timeout: Int = 120) throws -> CLIResult {
        try runProcess("/usr/bin/timeout", ["-s", "KILL", "\(timeout)", executable] + arguments)
    }

    /// Checks JSON lines against `schemas/SCHEMA.schema.json` (`change-event` or `debezium-event`)
    /// with `scripts/validate-jsonl.py`; status 0 when every line is valid.
    package static func validate(_ lines: String, against schema: String = "change-event") throws -> CLIResult {
        try runProcess(
            "/usr/bin/env",
            [
                "python3", repositoryRoot.appendingPathComponent("scripts/validate-jsonl.py").path,
                repositoryRoot.appendingPathComponent("schemas/\(schema).schema.json").path,
            ], stdin: lines)
    }

    package static func runProcess(_ executable: String, _ arguments: [String], stdin: String? = nil) throws -> CLIResult {
        let output = try ProcessRunner.run(executable, arguments, stdin: stdin)
        return CLIResult(status: output.status, stdout: output.stdout, stderr: output.stderr)
    }
}
