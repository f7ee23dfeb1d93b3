/// Recognisers for PostgreSQL's text output.
enum ValueText {
    /// `-?(0|[1-9][0-9]*)`: an integer that is also a JSON number (no leading zeros).
    static func isInteger(_ text: ArraySlice<UInt8>) -> Bool {
        var index = text.startIndex
        if index < text.endIndex && text[index] == UInt8(ascii: "-") { index += 1 }
        guard index < text.endIndex else { return false }
        if text[index] == UInt8(ascii: "0") && index + 1 < text.endIndex { return false }
        while index < text.endIndex {
            guard text[index] &- UInt8(ascii: "0") < 10 else { return false }
            index += 1
        }
        return true
    }

    /// JSON's number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    static func isJSONNumber(_ text: ArraySlice<UInt8>) -> Bool {
        var index = text.startIndex
        let end = text.endIndex
        func digits() -> Int {
            let start = index
            while index < end && text[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            return index - start
        }
        if index < end && text[index] == UInt8(ascii: "-") { index += 1 }
        guard index < end else { return false }
        if text[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            return false
        }
        if index < end && text[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < end && (text[index] == UInt8(ascii: "e") || text[index] == UInt8(ascii: "E")) {
            index += 1
            if index < end && (text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-")) { index += 1 }
            guard digits() > 0 else { return false }
        }
        return index == end
    }

    /// The parts of `YYYY-MM-DD HH:MM:SS[.f{1,6}][+00[:00]]` (4 or more year digits).
    struct TimestampParts {
        /// `YYYY-MM-DD HH:MM:SS`
        var dateAndTime: Range<Int>
        /// Where the space between date and time is, from the start of `dateAndTime`.
        var separatorOffset: Int
        /// The fraction digits (possibly empty).
        var fraction: Range<Int>
    }

    static func timestampParts(_ text: ArraySlice<UInt8>, zone: Bool) -> TimestampParts? {
        var index = text.startIndex
        let end = text.endIndex
        func digits(_ count: Int) -> Bool {
            guard end - index >= count else { return false }
            for offset in 0..<count where text[index + offset] &- UInt8(ascii: "0") >= 10 { return false }
            index += count
            return true
        }
        func expect(_ byte: UInt8) -> Bool {
            guard index < end, text[index] == byte else { return false }
            index += 1
            return true
        }
        let start = index
        var yearDigits = 0
        while index < end && text[index] &- UInt8(ascii: "0") < 10 { index += 1; yearDigits += 1 }
        guard yearDigits >= 4, expect(UInt8(ascii: "-")), digits(2), expect(UInt8(ascii: "-")), digits(2) else { return nil }
        let separator = index - start
        guard expect(UInt8(ascii: " ")), digits(2), expect(UInt8(ascii: ":")), digits(2), expect(UInt8(ascii: ":")), digits(2) else {
            return nil
        }
        let dateAndTime = start..<index
        var fraction = index..<index
        if index < end && text[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < end && text[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            guard index - fractionStart >= 1, index - fractionStart <= 6 else { return nil }
            fraction = fractionStart..<index
        }
        if zone {
            // TimeZone is pinned to UTC, so the offset is +00 (or +00:00); anything else is left as text.
            guard expect(UInt8(ascii: "+")), expect(UInt8(ascii: "0")), expect(UInt8(ascii: "0")) else { return nil }
            if index < end {
                guard expect(UInt8(ascii: ":")), expect(UInt8(ascii: "0")), expect(UInt8(ascii: "0")) else { return nil }
            }
        }
        guard index == end else { return nil }
        return TimestampParts(dateAndTime: dateAndTime, separatorOffset: separator, fraction: fraction)
    }
}
