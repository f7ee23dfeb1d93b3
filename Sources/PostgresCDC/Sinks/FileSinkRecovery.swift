#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PGOutput

/// Finds, reading backwards from the end of a JSON-lines file that pgcdc wrote, the last place
/// where a transaction was complete: just after the last `commit` line or non-transactional
/// `message` line. Everything after it (a torn last line, the rows of a transaction whose commit
/// line was never written) is what a crash left behind.
///
/// Only the tail is read: lines are classified by their `{"op":"…"` prefix, and just the one
/// boundary line is parsed as JSON.
package struct FileSinkRecovery {
    /// Where the complete part ends, and the position to resume from (`nil`: no boundary found).
    package struct Result: Equatable {
        /// Byte offset just after the last boundary line; the file is cut there.
        package var completeLength: Int
        /// The commit end LSN (or message LSN) of that line.
        package var position: LSN?
    }

    private let descriptor: Int32
    private let path: String
    private let chunkSize: Int

    package init(descriptor: Int32, path: String, chunkSize: Int = 1 << 16) {
        self.descriptor = descriptor
        self.path = path
        self.chunkSize = chunkSize
    }

    /// Scans the file, whose size is `size`.
    package func scan(size: Int) throws(SinkError) -> Result {
        // Whatever follows the last newline is a torn line.
        var lineEnd = try startOfLine(searchingBelow: size)
        while lineEnd > 0 {
            let start = try startOfLine(searchingBelow: lineEnd - 1)
            let head = try read(from: start, count: min(lineEnd - 1 - start, 32))
            guard let op = Self.operation(head) else {
                throw SinkError(destination: path, operation: "resume from", reason: "the line at byte offset \(start) is not a pgcdc event; refusing to append to a file pgcdc did not write")
            }
            if op == "commit" || op == "message" || op == "snapshot" {
                let line = try read(from: start, count: lineEnd - 1 - start)
                if let position = try Self.boundaryPosition(line, op: op, offset: start, path: path) {
                    return Result(completeLength: lineEnd, position: position)
                }
            }
            lineEnd = start
        }
        return Result(completeLength: 0, position: nil)
    }

    /// The `op` of a line that starts like a pgcdc event: `{"op":"name"`.
    static func operation(_ head: [UInt8]) -> String? {
        let prefix = Array(#"{"op":""#.utf8)
        guard head.count > prefix.count, head.starts(with: prefix) else { return nil }
        let rest = head[prefix.count...]
        guard let quote = rest.firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        return String(decoding: rest[..<quote], as: UTF8.self)
    }

    /// For a commit line its `end_lsn`, for a non-transactional message its `lsn`; `nil` for a
    /// transactional message (it belongs to a transaction whose commit line follows).
    static func boundaryPosition(_ line: [UInt8], op: String, offset: Int, path: String) throws(SinkError) -> LSN? {
        let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
        func fail(_ reason: String) -> SinkError {
            SinkError(destination: path, operation: "resume from", reason: "the \(op) line at byte offset \(offset) \(reason)")
        }
        guard let object else { throw fail("is not valid JSON") }
        if op == "message" {
            guard let transactional = object["transactional"] as? Bool else { throw fail("has no \"transactional\" field") }
            if transactional { return nil }
        }
        let field = op == "commit" ? "end_lsn" : op == "snapshot" ? "commit_lsn" : "lsn"
        guard let text = object[field] as? String, let lsn = LSN(text) else { throw fail("has no valid \"\(field)\"") }
        return lsn
    }

    /// The offset just after the last newline before `limit`, or 0.
    private func startOfLine(searchingBelow limit: Int) throws(SinkError) -> Int {
        var end = limit
        while end > 0 {
            let start = max(0, end - chunkSize)
            let chunk = try read(from: start, count: end - start)
            if let newline = chunk.lastIndex(of: UInt8(ascii: "\n")) { return start + newline + 1 }
            end = start
        }
        return 0
    }

    private func read(from offset: Int, count: Int) throws(SinkError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress.map { $0 + done }, count - done, off_t(offset + done))
            }
            if got > 0 {
                done += got
            } else if got < 0 && errno == EINTR {
                continue
            } else {
                let reason = got == 0 ? "unexpected end of file" : String(cString: strerror(errno))
                throw SinkError(destination: path, operation: "read the end of", reason: reason)
            }
        }
        return bytes
    }
}
