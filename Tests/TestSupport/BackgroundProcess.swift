import Foundation

/// A `pgcdc` process running beside the test, its stdout and stderr going to files, that the test
/// can signal, kill and wait for.
package final class BackgroundProcess {
    package let pid: pid_t
    package let stdoutPath: String
    package let stderrPath: String
    package private(set) var exitStatus: Int32?

    package enum Failure: Error, CustomStringConvertible {
        case spawn(String)
        package var description: String {
            switch self {
            case let .spawn(reason): return "could not start pgcdc: \(reason)"
            }
        }
    }

    /// Starts `pgcdc arguments...`; stdout goes to `stdoutPath` (appended when `append`).
    package init(_ arguments: [String], stdoutPath: String, stderrPath: String, executable: String = CLIProcess.executable) throws {
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = [executable] + arguments
        var cArguments = argv.map { strdup($0) }
        cArguments.append(nil)
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw Failure.spawn(String(cString: strerror(spawned))) }
        self.pid = pid
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            _ = wait(timeout: 5)
        }
    }

    package func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits up to `timeout` seconds; returns the exit status (128 + signal for a signal death),
    /// or `nil` if it is still running.
    package func wait(timeout: Double) -> Int32? {
        if let exitStatus { return exitStatus }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                let code: Int32 = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
                exitStatus = code
                return code
            }
            if result < 0 && errno != EINTR { return nil }
            if Date() > deadline { return nil }
            usleep(10_000)
        }
    }

    package var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    package var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
}

/// Polls `condition` every 50 ms until it holds or `timeout` seconds pass.
package func eventually(timeout: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}
