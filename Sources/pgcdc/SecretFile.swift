import ArgumentParser
import Foundation

/// A secret read from a file (`--dsn-file`, `--nats-token-file`), so that it stays out of the
/// command line, which every user of the host can read (`ps`, `/proc/PID/cmdline`).
enum SecretFile {
    /// The file's text without its trailing line break; `option` names the file in errors.
    static func read(_ path: String, option: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("\(option) \(path): cannot be read (\(String(cString: strerror(errno))))")
        }
        var text = String(decoding: data, as: UTF8.self)
        while let last = text.last, last == "\n" || last == "\r" { text.removeLast() }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("\(option) \(path): the file is empty") }
        return text
    }

    /// Whether the group or others may read (or write) the file at `path`, as ssh checks a key.
    static func isOpenToOthers(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        return info.st_mode & 0o077 != 0
    }
}
