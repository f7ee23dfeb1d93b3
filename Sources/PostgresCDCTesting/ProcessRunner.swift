import Foundation

/// Runs a helper program to completion and collects its output (cold path: set-up and tests).
///
/// Uses `posix_spawn` and `waitpid` with files, not pipes, for stdin and output: programs that
/// leave a daemon behind (`pg_ctl start`) must not keep anything of ours open, and Foundation's
/// `Process` was seen waiting forever for such a program here.
package enum ProcessRunner {
    /// Exit status and output of a finished program.
    package struct Output: Sendable {
        package var status: Int32
        package var stdout: String
        package var stderr: String
    }

    /// Runs `executable arguments` (as the `postgres` user via runuser when `asPostgres`), feeding `stdin`.
    package static func run(_ executable: String, _ arguments: [String], stdin: String? = nil, asPostgres: Bool = false) throws -> Output {
        let argv = asPostgres ? ["/usr/sbin/runuser", "-u", "postgres", "--", executable] + arguments : [executable] + arguments
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("pgcdc-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inPath = scratch.appendingPathComponent("stdin").path
        let outPath = scratch.appendingPathComponent("stdout").path
        let errPath = scratch.appendingPathComponent("stderr").path
        try Data((stdin ?? "").utf8).write(to: URL(fileURLWithPath: inPath))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        var cArguments = argv.map { strdup($0) }
        cArguments.append(nil)
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard spawned == 0 else {
            throw LocalPostgresServerError(step: "running \(executable)", detail: String(cString: strerror(spawned)))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else {
                throw LocalPostgresServerError(step: "waiting for \(executable)", detail: String(cString: strerror(errno)))
            }
        }
        // WIFEXITED / WEXITSTATUS; a signal death reports 128 + signal like a shell.
        let exitCode: Int32 = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return Output(status: exitCode, stdout: out, stderr: err)
    }

    /// Throws when `output` is a failure, naming `step` and the program's output.
    package static func check(_ step: String, _ output: Output) throws {
        guard output.status == 0 else {
            let said = (output.stderr + output.stdout).trimmingCharacters(in: .whitespacesAndNewlines)
            throw LocalPostgresServerError(step: step, detail: "exit \(output.status): " + said)
        }
    }
}
