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

    package static func runProcess(_ executable: String, _ arguments: [String], stdin: String? = nil) throws -> CLIResult {
        let output = try ProcessRunner.run(executable, arguments, stdin: stdin)
        return CLIResult(status: output.status, stdout: output.stdout, stderr: output.stderr)
    }
}
