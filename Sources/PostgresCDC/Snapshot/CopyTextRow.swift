import PGOutput

/// One row of `COPY ... TO STDOUT` in text format, turned into the same ``TupleData`` that pgoutput
/// sends in text mode, so snapshot rows go through exactly the value mapping that changes do.
///
/// Columns are separated by tabs; `\N` is NULL; backslash escapes (`\b \f \n \r \t \v \\`, octal
/// `\ooo`, hex `\xhh`, any other `\c` for `c`) are undone. See the COPY documentation, "Text Format".
enum CopyTextRow {
    /// Parses `line` (with or without its trailing newline) into `expectedColumns` columns.
    package static func parse(_ line: [UInt8], expectedColumns: Int) throws(CopyRowError) -> TupleData {
        var storage: [UInt8] = []
        storage.reserveCapacity(line.count)
        var columns: [TupleData.Column] = []
        columns.reserveCapacity(expectedColumns)
        var end = line.count
        if end > 0 && line[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        var index = 0
        var fieldStart = 0
        var escapedNullCandidate = true
        var fieldBytes = 0

        func finishField() {
            // `\N` alone (as written, not unescaped) is NULL.
            if escapedNullCandidate && fieldBytes == 2 && line[index - 2] == UInt8(ascii: "\\") && line[index - 1] == UInt8(ascii: "N") {
                storage.removeLast(storage.count - fieldStart)
                columns.append(TupleData.Column(kind: .null, range: storage.count..<storage.count))
            } else {
                columns.append(TupleData.Column(kind: .text, range: fieldStart..<storage.count))
            }
        }

        while index < end {
            let byte = line[index]
            if byte == UInt8(ascii: "\t") {
                finishField()
                index += 1
                fieldStart = storage.count
                fieldBytes = 0
                escapedNullCandidate = true
                continue
            }
            fieldBytes += 1
            if byte != UInt8(ascii: "\\") {
                storage.append(byte)
                index += 1
                continue
            }
            guard index + 1 < end else { throw .danglingBackslash(offset: index) }
            let next = line[index + 1]
            if next == UInt8(ascii: "N") && fieldBytes == 1 {
                // Possibly NULL: keep the raw bytes until the field ends.
                storage.append(contentsOf: [byte, next])
                index += 2
                fieldBytes += 1
                continue
            }
            escapedNullCandidate = false
            index += 2
            switch next {
            case UInt8(ascii: "b"): storage.append(0x08)
            case UInt8(ascii: "f"): storage.append(0x0C)
            case UInt8(ascii: "n"): storage.append(0x0A)
            case UInt8(ascii: "r"): storage.append(0x0D)
            case UInt8(ascii: "t"): storage.append(0x09)
            case UInt8(ascii: "v"): storage.append(0x0B)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(next - UInt8(ascii: "0"))
                var digits = 1
                while digits < 3, index < end, line[index] >= UInt8(ascii: "0"), line[index] <= UInt8(ascii: "7") {
                    value = value * 8 + Int(line[index] - UInt8(ascii: "0"))
                    index += 1
                    digits += 1
                }
                storage.append(UInt8(truncatingIfNeeded: value))
            case UInt8(ascii: "x"):
                var value = 0
                var digits = 0
                while digits < 2, index < end, let nibble = hexValue(line[index]) {
                    value = value * 16 + nibble
                    index += 1
                    digits += 1
                }
                if digits == 0 {
                    storage.append(UInt8(ascii: "x"))
                } else {
                    storage.append(UInt8(value))
                }
            default:
                storage.append(next)
            }
        }
        finishField()
        guard columns.count == expectedColumns else {
            throw .columnCount(expected: expectedColumns, found: columns.count)
        }
        return TupleData(storage: storage[...], columns: columns)
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }
}
