/// Arrays: `array_send` writes Int32 dimensions, Int32 has-nulls, UInt32 element type, then per
/// dimension Int32 length and Int32 lower bound, then each element as Int32 length (-1: NULL) and
/// its send format. The text is `array_out`'s: nested braces, `[l:u]=` when a lower bound is not 1,
/// elements double-quoted when empty, `NULL`, or holding braces, quotes, backslashes, the
/// delimiter or white space.
extension BinaryText {
    static func appendArray(_ bytes: ArraySlice<UInt8>, element: BinaryFormat, delimiter: UInt8, to out: inout [UInt8]) -> Bool {
        guard let dimensions = integer(Int32.self, bytes.prefix(4)), dimensions >= 0, dimensions <= 6, bytes.count >= 12 else {
            return false
        }
        var index = bytes.startIndex + 12
        var lengths: [Int] = []
        var lowerBounds: [Int] = []
        for _ in 0..<Int(dimensions) {
            guard index + 8 <= bytes.endIndex,
                let length = integer(Int32.self, bytes[index..<(index + 4)]), length >= 0,
                let lower = integer(Int32.self, bytes[(index + 4)..<(index + 8)])
            else { return false }
            lengths.append(Int(length))
            lowerBounds.append(Int(lower))
            index += 8
        }
        let total = lengths.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        guard dimensions > 0, total > 0 else {
            out.append(contentsOf: "{}".utf8)
            return index == bytes.endIndex
        }
        guard total <= bytes.count / 4 else { return false }
        if lowerBounds.contains(where: { $0 != 1 }) {
            for (length, lower) in zip(lengths, lowerBounds) {
                out.append(UInt8(ascii: "["))
                appendDecimal(Int64(lower), to: &out)
                out.append(UInt8(ascii: ":"))
                appendDecimal(Int64(lower) + Int64(length) - 1, to: &out)
                out.append(UInt8(ascii: "]"))
            }
            out.append(UInt8(ascii: "="))
        }
        var elementText: [UInt8] = []
        var counters = [Int](repeating: 0, count: lengths.count)
        for _ in 0..<lengths.count { out.append(UInt8(ascii: "{")) }
        for number in 0..<total {
            if number > 0 {
                // Close the dimensions that just completed, separate, reopen them.
                var closed = 0
                var dimension = lengths.count - 1
                while dimension >= 0 {
                    counters[dimension] += 1
                    if counters[dimension] < lengths[dimension] { break }
                    counters[dimension] = 0
                    closed += 1
                    dimension -= 1
                }
                for _ in 0..<closed { out.append(UInt8(ascii: "}")) }
                out.append(delimiter)
                for _ in 0..<closed { out.append(UInt8(ascii: "{")) }
            }
            guard index + 4 <= bytes.endIndex, let length = integer(Int32.self, bytes[index..<(index + 4)]) else { return false }
            index += 4
            if length < 0 {
                out.append(contentsOf: "NULL".utf8)
                continue
            }
            guard Int(length) <= bytes.endIndex - index else { return false }
            elementText.removeAll(keepingCapacity: true)
            guard append(bytes[index..<(index + Int(length))], as: element, to: &elementText) else { return false }
            index += Int(length)
            appendArrayElement(elementText, delimiter: delimiter, to: &out)
        }
        for _ in 0..<lengths.count { out.append(UInt8(ascii: "}")) }
        return index == bytes.endIndex
    }

    /// One element of an array literal: quoted and escaped when `array_in` needs it (empty, `NULL`, or
    /// holding quotes, backslashes, braces, the delimiter or white space).
    static func appendArrayElement(_ text: [UInt8], delimiter: UInt8, to out: inout [UInt8]) {
        var needsQuotes = text.isEmpty || (text.count == 4 && String(decoding: text, as: UTF8.self).lowercased() == "null")
        for byte in text where !needsQuotes {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "{"), UInt8(ascii: "}"), delimiter,
                UInt8(ascii: " "), 0x09, 0x0A, 0x0B, 0x0C, 0x0D:
                needsQuotes = true
            default:
                break
            }
        }
        guard needsQuotes else { return out.append(contentsOf: text) }
        out.append(UInt8(ascii: "\""))
        for byte in text {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
    }
}
