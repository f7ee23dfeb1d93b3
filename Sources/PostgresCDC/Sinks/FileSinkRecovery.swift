#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PGOutput

/// Finds, reading backwards from the end of a JSON-lines file that pgcdc wrote, the last place
/// where a transaction was complete: just after the last line that ends one or stands alone.
/// Everything after it (a torn last line, the rows of a transaction whose end was never written)
/// is what a crash left behind.
///
/// Both formats mark their boundaries with the position to resume from: native `commit` lines
/// (`end_lsn`), the `snapshot` line (`commit_lsn`) and non-transactional `message` lines (`lsn`);
/// in Debezium format, transaction END records (pgcdc's numeric `end_lsn`, also on the END that
/// closes the snapshot) and non-transactional messages (`op` `m` with a null `source.txId`, at
/// `source.lsn`).
///
/// Only the tail is read: lines are classified by how they start, and just the one boundary line
/// is parsed as JSON.
struct FileSinkRecovery {
    /// Where the complete part ends, and the position to resume from (`nil`: no boundary found).
    package struct Result: Equatable {
        /// Byte offset just after the last boundary line; the file is cut there.
        var completeLength: Int
        /// The commit end LSN (or message LSN) of that line.
        package var position: LSN?
    }

    /// A line as its start shows it.
    enum Line: Equatable {
        /// A native event: `{"op":"name"`.
        case native(String)
        /// A Debezium row or truncate (`{"before":`), or a BEGIN record: never a boundary.
        case debeziumInside
        /// A Debezium message, `{"op":"m"`: a boundary when outside a transaction.
        case debeziumMessage
        /// A Debezium END record, `{"status":"END"`.
        case debeziumEnd
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
    func scan(size: Int) throws(SinkError) -> Result {
        // Whatever follows the last newline is a torn line.
        var lineEnd = try startOfLine(searchingBelow: size)
        while lineEnd > 0 {
            let start = try startOfLine(searchingBelow: lineEnd - 1)
            let head = try read(from: start, count: min(lineEnd - 1 - start, 32))
            guard let kind = Self.classify(head) else {
                let reason = "the line at byte offset \(start) is not a pgcdc event; refusing to append to a file pgcdc did not write"
                throw SinkError(destination: path, operation: "resume from", reason: reason)
            }
            if Self.mayEndTransaction(kind) {
                let line = try read(from: start, count: lineEnd - 1 - start)
                if let position = try Self.boundaryPosition(line, kind: kind, offset: start, path: path) {
                    return Result(completeLength: lineEnd, position: position)
                }
            }
            lineEnd = start
        }
        return Result(completeLength: 0, position: nil)
    }

    /// What a line is, from its first bytes; `nil` for a line pgcdc does not write.
    static func classify(_ head: [UInt8]) -> Line? {
        if head.starts(with: #"{"before":"#.utf8) || head.starts(with: #"{"status":"BEGIN""#.utf8) { return .debeziumInside }
        if head.starts(with: #"{"status":"END""#.utf8) { return .debeziumEnd }
        let prefix = #"{"op":""#.utf8
        guard head.count > prefix.count, head.starts(with: prefix) else { return nil }
        let rest = head.dropFirst(prefix.count)
        guard let quote = rest.firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        let op = String(decoding: rest[..<quote], as: UTF8.self)
        return op == "m" ? .debeziumMessage : .native(op)
    }

    private static func mayEndTransaction(_ line: Line) -> Bool {
        switch line {
        case .native("commit"), .native("message"), .native("snapshot"), .debeziumMessage, .debeziumEnd: return true
        case .native, .debeziumInside: return false
        }
    }

    /// The position a boundary line resumes from: a commit's `end_lsn`, a non-transactional
    /// message's `lsn`, the snapshot's `commit_lsn`; `nil` for a transactional message (it
    /// belongs to a transaction whose end follows).
    static func boundaryPosition(_ line: [UInt8], kind: Line, offset: Int, path: String) throws(SinkError) -> LSN? {
        let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
        func fail(_ reason: String) -> SinkError {
            SinkError(destination: path, operation: "resume from", reason: "the line at byte offset \(offset) \(reason)")
        }
        guard let object else { throw fail("is not valid JSON") }
        switch kind {
        case .debeziumEnd:
            guard let number = object["end_lsn"] as? Int, number >= 0 else { throw fail("(an END record) has no valid \"end_lsn\"") }
            return LSN(UInt64(number))
        case .debeziumMessage:
            guard let source = object["source"] as? [String: Any], let transaction = source["txId"] else {
                throw fail("(a message) has no \"source.txId\"")
            }
            if !(transaction is NSNull) { return nil }
            guard let number = source["lsn"] as? Int, number >= 0 else { throw fail("(a message) has no valid \"source.lsn\"") }
            return LSN(UInt64(number))
        case .native("message"):
            guard let transactional = object["transactional"] as? Bool else { throw fail("(a message) has no \"transactional\" field") }
            if transactional { return nil }
            return try lsn(object, "lsn", fail)
        case .native("snapshot"):
            return try lsn(object, "commit_lsn", fail)
        default:
            return try lsn(object, "end_lsn", fail)
        }
    }

    private static func lsn(_ object: [String: Any], _ field: String, _ fail: (String) -> SinkError) throws(SinkError) -> LSN {
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
