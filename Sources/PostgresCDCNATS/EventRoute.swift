import Foundation

/// Where one JSON line goes: its subject(s) and its message id (`{commit_lsn}:{seq}`).
///
/// Subjects are built through a ``SubjectCache``: a table's subject is computed once, not per event.
///
/// Read from the line itself with a small scanner over the fields pgcdc's encoder writes first
/// (`{"op":..,"schema":..,"table":..,"commit_lsn":..,"seq":..`); only a line whose names carry
/// escapes, or a truncate (which names several tables), is parsed as JSON.
struct EventRoute: Equatable {
    /// Subjects to publish to: one, or one per table of a truncate.
    var subjects: [String]
    /// The de-duplication id; a truncate published to several subjects gets `:1`, `:2`, … after the first.
    var messageID: String

    /// Routes `line` (without its newline) by `subjects`, or returns `nil` for a line that is not a pgcdc event.
    static func route(_ line: ArraySlice<UInt8>, subjects: SubjectCache) -> EventRoute? {
        var scanner = Scanner(bytes: line)
        guard scanner.expect(#"{"op":""#), let op = scanner.string() else { return nil }
        switch op {
        case "insert", "update", "delete":
            guard scanner.expect(#","schema":""#), let schema = scanner.string(),
                  scanner.expect(#","table":""#), let table = scanner.string(),
                  scanner.expect(#","commit_lsn":""#), let commit = scanner.string(),
                  scanner.expect(#","seq":"#), let seq = scanner.digits()
            else { return parsed(line, subjects: subjects) }
            return EventRoute(subjects: [subjects.table(schema: schema, table: table)], messageID: "\(commit):\(seq)")
        case "message":
            guard scanner.expect(#","commit_lsn":""#), let commit = scanner.string(),
                  scanner.expect(#","seq":"#), let seq = scanner.digits(),
                  let prefix = scanner.string(after: #","prefix":""#)
            else { return parsed(line, subjects: subjects) }
            return EventRoute(subjects: [subjects.message(prefix: prefix)], messageID: "\(commit):\(seq)")
        case "begin", "commit":
            guard scanner.expect(#","commit_lsn":""#), let commit = scanner.string() else { return nil }
            return EventRoute(subjects: [subjects.template.transactions], messageID: "\(commit):\(op)")
        default:
            return parsed(line, subjects: subjects)
        }
    }

    /// The slow path: the whole line as JSON.
    private static func parsed(_ line: ArraySlice<UInt8>, subjects: SubjectCache) -> EventRoute? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
              let op = object["op"] as? String, let commit = object["commit_lsn"] as? String
        else { return nil }
        let id = "\(commit):\(object["seq"].map { "\($0)" } ?? op)"
        switch op {
        case "truncate":
            let tables = (object["tables"] as? [[String: Any]] ?? []).compactMap { table -> String? in
                guard let schema = table["schema"] as? String, let name = table["table"] as? String else { return nil }
                return subjects.table(schema: schema, table: name)
            }
            return tables.isEmpty ? nil : EventRoute(subjects: tables, messageID: id)
        case "message":
            return EventRoute(subjects: [subjects.message(prefix: object["prefix"] as? String ?? "")], messageID: id)
        default:
            guard let schema = object["schema"] as? String, let table = object["table"] as? String else { return nil }
            return EventRoute(subjects: [subjects.table(schema: schema, table: table)], messageID: id)
        }
    }

    /// Reads the fixed prefix of a line; a string with an escape in it is refused (the caller parses JSON).
    private struct Scanner {
        let bytes: ArraySlice<UInt8>
        var index: Int

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            self.index = bytes.startIndex
        }

        mutating func expect(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard bytes.endIndex - index >= count else { return false }
            let matches = text.withUTF8Buffer { expected in
                bytes[index..<(index + count)].elementsEqual(expected)
            }
            if matches { index += count }
            return matches
        }

        /// The characters up to the closing quote (consumed); `nil` if it has an escape.
        mutating func string() -> String? {
            var end = index
            while end < bytes.endIndex, bytes[end] != UInt8(ascii: "\"") {
                if bytes[end] == UInt8(ascii: "\\") { return nil }
                end += 1
            }
            guard end < bytes.endIndex else { return nil }
            defer { index = end + 1 }
            return String(decoding: bytes[index..<end], as: UTF8.self)
        }

        mutating func digits() -> String? {
            var end = index
            while end < bytes.endIndex, bytes[end] >= UInt8(ascii: "0"), bytes[end] <= UInt8(ascii: "9") { end += 1 }
            guard end > index else { return nil }
            defer { index = end }
            return String(decoding: bytes[index..<end], as: UTF8.self)
        }

        /// The string after the first occurrence of `key` from here on.
        mutating func string(after key: StaticString) -> String? {
            let pattern = key.withUTF8Buffer { Array($0) }
            var start = index
            while start + pattern.count <= bytes.endIndex {
                if bytes[start..<(start + pattern.count)].elementsEqual(pattern) {
                    index = start + pattern.count
                    return string()
                }
                start += 1
            }
            return nil
        }
    }
}

/// Subjects by table and by message prefix, computed once each from a ``SubjectTemplate``.
final class SubjectCache {
    let template: SubjectTemplate
    private var tables: [String: String] = [:]
    private var prefixes: [String: String] = [:]

    init(template: SubjectTemplate) {
        self.template = template
    }

    func table(schema: String, table: String) -> String {
        let key = schema + "\u{0}" + table
        if let subject = tables[key] { return subject }
        let subject = template.table(schema: schema, table: table)
        tables[key] = subject
        return subject
    }

    func message(prefix: String) -> String {
        if let subject = prefixes[prefix] { return subject }
        let subject = template.message(prefix: prefix)
        prefixes[prefix] = subject
        return subject
    }
}
