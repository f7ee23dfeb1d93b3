/// Receives the structure of an array's text form from ``ArrayTextParser``.
protocol ArrayTextVisitor {
    mutating func beginArray()
    mutating func endArray()
    /// Between two items of the same level.
    mutating func separator()
    /// An unquoted `NULL`.
    mutating func null()
    /// An element's text (quotes and backslash escapes removed).
    mutating func element(_ text: ArraySlice<UInt8>)
}

/// Parses PostgreSQL's array text form (`{1,2,NULL}`, `{{1,2},{3,4}}`, `{"a,b","c\"d"}`,
/// `[0:1]={1,2}`), reporting its structure to a visitor.
struct ArrayTextParser {
    private let text: ArraySlice<UInt8>
    private let delimiter: UInt8
    private var index: Int
    private var depth = 0

    init(text: ArraySlice<UInt8>, delimiter: UInt8) {
        self.text = text
        self.delimiter = delimiter
        self.index = text.startIndex
    }

    /// Parses the whole text; `false` when it is malformed (the visitor may have seen part of it).
    mutating func parse(into visitor: inout some ArrayTextVisitor) -> Bool {
        skipWhitespace()
        if index < text.endIndex && text[index] == UInt8(ascii: "[") {
            // Explicit bounds, e.g. "[0:1]={...}": JSON arrays have none; skip to '='.
            guard let equals = text[index...].firstIndex(of: UInt8(ascii: "=")) else { return false }
            index = equals + 1
        }
        guard parseLevel(into: &visitor) else { return false }
        skipWhitespace()
        return index == text.endIndex
    }

    private mutating func parseLevel(into visitor: inout some ArrayTextVisitor) -> Bool {
        skipWhitespace()
        guard index < text.endIndex, text[index] == UInt8(ascii: "{") else { return false }
        depth += 1
        guard depth <= 64 else { return false }
        defer { depth -= 1 }
        index += 1
        visitor.beginArray()
        skipWhitespace()
        if index < text.endIndex && text[index] == UInt8(ascii: "}") {
            index += 1
            visitor.endArray()
            return true
        }
        while true {
            skipWhitespace()
            guard index < text.endIndex else { return false }
            switch text[index] {
            case UInt8(ascii: "{"):
                guard parseLevel(into: &visitor) else { return false }
            case UInt8(ascii: "\""):
                guard let value = readQuoted() else { return false }
                visitor.element(value[...])
            default:
                let start = index
                while index < text.endIndex, text[index] != delimiter, text[index] != UInt8(ascii: "}") {
                    if text[index] == UInt8(ascii: "{") || text[index] == UInt8(ascii: "\"") { return false }
                    index += 1
                }
                var end = index
                while end > start && Self.isWhitespace(text[end - 1]) { end -= 1 }
                guard end > start else { return false }
                let value = text[start..<end]
                if value.count == 4 && value.elementsEqual("NULL".utf8, by: { $0 | 0x20 == $1 | 0x20 }) {
                    visitor.null()
                } else {
                    visitor.element(value)
                }
            }
            skipWhitespace()
            guard index < text.endIndex else { return false }
            if text[index] == delimiter {
                index += 1
                visitor.separator()
            } else if text[index] == UInt8(ascii: "}") {
                index += 1
                visitor.endArray()
                return true
            } else {
                return false
            }
        }
    }

    /// A double-quoted element with backslash escapes removed; `nil` when unterminated.
    private mutating func readQuoted() -> [UInt8]? {
        index += 1
        var value: [UInt8] = []
        while index < text.endIndex {
            let byte = text[index]
            if byte == UInt8(ascii: "\\") {
                index += 1
                guard index < text.endIndex else { return nil }
                value.append(text[index])
            } else if byte == UInt8(ascii: "\"") {
                index += 1
                return value
            } else {
                value.append(byte)
            }
            index += 1
        }
        return nil
    }

    private mutating func skipWhitespace() {
        while index < text.endIndex && Self.isWhitespace(text[index]) { index += 1 }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }
}
