extension JSONBuffer {
    /// Appends UTF-8 bytes as a quoted JSON string: `"`, the bytes escaped by ``appendEscaped(_:)``, `"`.
    /// Text with nothing to escape (the usual case) is written in one piece.
    ///
    /// `key`, when given, is written first, in the same piece.
    mutating func appendQuoted(
        _ utf8: UnsafeBufferPointer<UInt8>, after key: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
    ) {
        let count = utf8.count
        let plain = Self.plainPrefixLength(utf8)
        bytes.write(reserving: key.count + plain + 2) { text in
            let out = text + text.copy(key)
            out[0] = UInt8(ascii: "\"")
            if let start = utf8.baseAddress { (out + 1).update(from: start, count: plain) }
            if plain == count { out[plain + 1] = UInt8(ascii: "\"") }
            return key.count + (plain == count ? plain + 2 : plain + 1)
        }
        guard plain < count else { return }
        appendEscaped(UnsafeBufferPointer(rebasing: utf8[plain...]))
        bytes.append(UInt8(ascii: "\""))
    }

    /// How many bytes at the start of `utf8` are printable ASCII other than `"` and `\\` (JSON
    /// copies them as they are); eight at a time.
    @inline(__always)
    static func plainPrefixLength(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = utf8.baseAddress else { return 0 }
        let count = utf8.count
        var index = 0
        /// Whether the eight bytes at `offset` are all plain.
        @inline(__always)
        func plainWord(at offset: Int) -> Bool {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let word = UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
            // A byte with its high bit set, below 0x20, or equal to '"' or '\\' (zero after the xor).
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let special =
                word | ((word &- ones &* 0x20) & ~word) | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
            return special & 0x8080_8080_8080_8080 == 0
        }
        while index + 8 <= count {
            guard plainWord(at: index) else { break }
            index += 8
        }
        // A tail shorter than a word: the last eight bytes, overlapping the words already looked at.
        if index < count && index + 8 > count && count >= 8 && plainWord(at: count - 8) { return count }
        while index < count {
            let byte = base[index]
            guard byte >= 0x20 && byte != 0x22 && byte != 0x5C && byte < 0x80 else { break }
            index += 1
        }
        return index
    }

    /// Appends UTF-8 bytes escaped for the inside of a JSON string. `"`, `\\` and control characters
    /// are escaped (`/` is not); bytes that are not valid UTF-8 become U+FFFD.
    mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var index = 0
        var runStart = 0
        let count = utf8.count
        while index < count {
            let byte = utf8[index]
            if byte >= 0x20 && byte != 0x22 && byte != 0x5C && byte < 0x80 {
                // A plain run: skipped eight bytes at a time.
                index += 1 + Self.plainPrefixLength(UnsafeBufferPointer(rebasing: utf8[(index + 1)...]))
                continue
            }
            if byte >= 0x80 {
                let length = Self.validSequenceLength(utf8, at: index)
                if length > 0 {
                    index += length
                    continue
                }
            }
            // Flush the safe run, then write this byte's replacement.
            if runStart < index { bytes.appendBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[runStart..<index]))) }
            switch byte {
            case 0x22: appendRaw("\\\"")
            case 0x5C: appendRaw("\\\\")
            case 0x0A: appendRaw("\\n")
            case 0x0D: appendRaw("\\r")
            case 0x09: appendRaw("\\t")
            case 0x08: appendRaw("\\b")
            case 0x0C: appendRaw("\\f")
            case 0..<0x20:
                appendRaw("\\u00")
                let hex: StaticString = "0123456789abcdef"
                hex.withUTF8Buffer { digits in
                    bytes.append(digits[Int(byte >> 4)])
                    bytes.append(digits[Int(byte & 0xF)])
                }
            default:
                appendRaw("\u{FFFD}")  // U+FFFD for an invalid byte
            }
            index += 1
            runStart = index
        }
        if runStart < count { bytes.appendBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[runStart..<count]))) }
    }

    /// The length of the valid UTF-8 sequence starting at `index` (a byte >= 0x80), or 0 if invalid.
    @inline(__always)
    static func validSequenceLength(_ utf8: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let lead = utf8[index]
        let remaining = utf8.count - index
        func continuation(_ offset: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            offset < remaining && range.contains(utf8[index + offset])
        }
        switch lead {
        case 0xC2...0xDF:
            return continuation(1) ? 2 : 0
        case 0xE0:
            return continuation(1, 0xA0...0xBF) && continuation(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return continuation(1) && continuation(2) ? 3 : 0
        case 0xED:
            return continuation(1, 0x80...0x9F) && continuation(2) ? 3 : 0
        case 0xF0:
            return continuation(1, 0x90...0xBF) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF1...0xF3:
            return continuation(1) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF4:
            return continuation(1, 0x80...0x8F) && continuation(2) && continuation(3) ? 4 : 0
        default:
            return 0
        }
    }
}
