/// Arrays: `array_send` writes Int32 dimensions, Int32 has-nulls, UInt32 element type, then per
/// dimension Int32 length and Int32 lower bound, then each element as Int32 length (-1: NULL) and
/// its send format. The text is `array_out`'s: nested braces, `[l:u]=` when a lower bound is not 1,
/// elements double-quoted when empty, `NULL`, or holding braces, quotes, backslashes, the
/// delimiter or white space.
extension BinaryText {
    static func appendArray(_ bytes: ArraySlice<UInt8>, element: BinaryFormat, delimiter: UInt8, to out: inout [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            guard let array = BinaryArray(raw) else { return false }
            guard array.count > 0 else {
                out.append(contentsOf: "{}".utf8)
                return array.elementsStart == raw.count
            }
            if !array.lowerBoundsAreOne {
                for dimension in 0..<array.dimensions {
                    let lower = Int64(array.lowerBound(ofDimension: dimension))
                    out.append(UInt8(ascii: "["))
                    appendDecimal(lower, to: &out)
                    out.append(UInt8(ascii: ":"))
                    appendDecimal(lower + Int64(array.length(ofDimension: dimension)) - 1, to: &out)
                    out.append(UInt8(ascii: "]"))
                }
                out.append(UInt8(ascii: "="))
            }
            var elementText: [UInt8] = []
            var offset = array.elementsStart
            for _ in 0..<array.dimensions { out.append(UInt8(ascii: "{")) }
            for number in 0..<array.count {
                if number > 0 {
                    // Close the dimensions that just completed, separate, reopen them.
                    let ended = array.dimensionsEnded(before: number)
                    for _ in 0..<ended { out.append(UInt8(ascii: "}")) }
                    out.append(delimiter)
                    for _ in 0..<ended { out.append(UInt8(ascii: "{")) }
                }
                switch array.element(at: &offset) {
                case .null?:
                    out.append(contentsOf: "NULL".utf8)
                case let .value(range)?:
                    elementText.removeAll(keepingCapacity: true)
                    let from = bytes.startIndex + range.lowerBound
                    guard append(bytes[from..<(from + range.count)], as: element, to: &elementText) else { return false }
                    appendArrayElement(elementText, delimiter: delimiter, to: &out)
                case nil:
                    return false
                }
            }
            for _ in 0..<array.dimensions { out.append(UInt8(ascii: "}")) }
            return offset == raw.count
        }
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
