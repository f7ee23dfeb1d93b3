import Foundation

/// The result of running the built `pgcdc` binary.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String

    var lines: [String] { stdout.split(separator: "\n").map(String.init) }
}

enum CLIProcess {
    /// The `pgcdc` executable next to the test bundle (the test target depends on it, so it is built).
    static var executable: URL {
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appendingPathComponent("pgcdc")
    }

    /// The repository root, for `schemas/` and `scripts/`.
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs `pgcdc arguments...` to completion, killing it after `timeout` seconds.
    static func run(_ arguments: [String], timeout: TimeInterval = 120) throws -> CLIResult {
        try runProcess(executable, arguments, timeout: timeout)
    }

    static func runProcess(_ executable: URL, _ arguments: [String], stdin: String? = nil, timeout: TimeInterval = 120) throws -> CLIResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently so a large output cannot block the child.
        let group = DispatchGroup()
        let collected = Collected()
        group.enter()
        DispatchQueue.global().async {
            collected.setOut(out.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            collected.setErr(err.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        if group.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            group.wait()
        }
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus, stdout: String(decoding: collected.out, as: UTF8.self), stderr: String(decoding: collected.err, as: UTF8.self))
    }
}

/// Pipe contents gathered from two threads.
private final class Collected: @unchecked Sendable {
    // Safe: every access goes through `lock`.
    private let lock = NSLock()
    private var outData = Data()
    private var errData = Data()
    var out: Data { lock.withLock { outData } }
    var err: Data { lock.withLock { errData } }
    func setOut(_ data: Data) { lock.withLock { outData = data } }
    func setErr(_ data: Data) { lock.withLock { errData = data } }
}
