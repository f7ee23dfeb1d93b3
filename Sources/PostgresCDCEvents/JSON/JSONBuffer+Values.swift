import PGOutput

extension JSONBuffer {
    /// Appends a value the server sent as JSON, converted by its column's type: NULL as `null`, the
    /// text form by ``appendValue(text:mapping:)``, the binary form by ``appendValue(binary:format:mapping:scratch:)``.
    @inline(__always)
    package mutating func appendValue(_ value: Row.SentValue, as type: ColumnType, scratch: inout [UInt8]) {
        switch value {
        case .null: appendRaw("null")
        case let .text(text): appendValue(text: text, mapping: type.mapping)
        case let .binary(binary): appendValue(binary: binary, format: type.binary, mapping: type.mapping, scratch: &scratch)
        }
    }

    /// Appends the value of `column` from a ``ColumnWalk/nextColumn(_:old:)`` (sent: neither absent nor
    /// an unchanged TOAST value) — a column of `row`, whose bytes are `rowBytes`, or of `old` when
    /// `fromOld` — as ``appendValue(_:as:scratch:)`` does; a common value straight from the row's bytes
    /// (``appendCommonValue(binary:format:mapping:key:)``), without a slice of them.
    ///
    /// `key` (the column's `"name":`, or nothing) is written first — in one piece with a common value.
    @inline(__always)
    package mutating func appendValue(
        of column: TupleData.Column, fromOld: Bool, row: Row, old: Row?, rowBytes: UnsafeRawBufferPointer, as type: ColumnType,
        key: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0), scratch: inout [UInt8]
    ) {
        if !fromOld && (column.kind == .binary || column.kind == .text) {
            let base = row.tuple.storage.startIndex
            let raw = UnsafeRawBufferPointer(rebasing: rowBytes[(column.range.lowerBound - base)..<(column.range.upperBound - base)])
            let written =
                column.kind == .binary
                ? appendCommonValue(binary: raw, format: type.binary, mapping: type.mapping, key: key)
                : appendCommonValue(text: raw, mapping: type.mapping, key: key)
            if written { return }
            bytes.appendBytes(key)
            // Any other value of the row: through a slice of its bytes, past the common values.
            if column.kind == .binary {
                return appendUncommonValue(
                    binary: row.tuple.storage[column.range], format: type.binary, mapping: type.mapping, scratch: &scratch)
            }
            return appendValue(text: row.tuple.storage[column.range], mapping: type.mapping)
        }
        bytes.appendBytes(key)
        // NULL, every other value, and one taken from the old row: through a slice of its bytes.
        switch fromOld ? old?.content(of: column) : row.content(of: column) {
        case let .sent(value)?: appendValue(value, as: type, scratch: &scratch)
        case .absent?, .unchangedToast?, nil: appendRaw("null")
        }
    }

    /// Appends one column value, given in PostgreSQL's text form, as JSON according to `mapping`.
    /// Text that does not have the expected form is written as a JSON string, never as invalid JSON.
    package mutating func appendValue(text: ArraySlice<UInt8>, mapping: ValueMapping) {
        if text.withUnsafeBytes({ appendCommonValue(text: $0, mapping: mapping) }) { return }
        switch mapping {
        case .bool:
            if text.count == 1 && text.first == UInt8(ascii: "t") {
                appendRaw("true")
            } else if text.count == 1 && text.first == UInt8(ascii: "f") {
                appendRaw("false")
            } else {
                appendString(utf8: text)
            }
        case .integer:
            if ValueText.isInteger(text) { bytes.appendBytes(text) } else { appendString(utf8: text) }
        case .float:
            if ValueText.isJSONNumber(text) { bytes.appendBytes(text) } else { appendString(utf8: text) }
        case .json:
            // json and jsonb output is valid JSON; an empty value would not be.
            if text.isEmpty { appendRaw("null") } else { bytes.appendBytes(text) }
        case .timestamptz:
            appendTimestampText(text, zone: true)
        case .timestamp:
            appendTimestampText(text, zone: false)
        case .numeric, .date, .bytea, .text:
            appendString(utf8: text)
        case let .array(element, delimiter):
            // Parse into a writer that owns this buffer's bytes for the moment (no copy).
            let mark = bytes.count
            var writer = JSONArrayWriter(buffer: JSONBuffer(), element: element)
            swap(&writer.buffer.bytes, &bytes)
            var parser = ArrayTextParser(text: text, delimiter: delimiter)
            let parsed = parser.parse(into: &writer)
            swap(&writer.buffer.bytes, &bytes)
            if !parsed {
                bytes.removeSubrange(mark...)
                appendString(utf8: text)
            }
        }
    }

    /// Appends one column value given in its binary send format: turned into PostgreSQL's text form
    /// (in `scratch`), then written exactly as ``appendValue(text:mapping:)`` writes that text.
    /// Bytes that are not a value of the type are written as a `"\\x…"` hex string.
    package mutating func appendValue(binary: ArraySlice<UInt8>, format: BinaryFormat, mapping: ValueMapping, scratch: inout [UInt8]) {
        if binary.withUnsafeBytes({ appendCommonValue(binary: $0, format: format, mapping: mapping) }) { return }
        appendUncommonValue(binary: binary, format: format, mapping: mapping, scratch: &scratch)
    }

    /// ``appendValue(binary:format:mapping:scratch:)`` for a value that is not a common one
    /// (``appendCommonValue(binary:format:mapping:key:)`` wrote nothing for it).
    private mutating func appendUncommonValue(
        binary: ArraySlice<UInt8>, format: BinaryFormat, mapping: ValueMapping, scratch: inout [UInt8]
    ) {
        switch format {
        case .textual:
            // The send format is the text itself.
            return appendValue(text: binary, mapping: mapping)
        case .jsonb:
            if binary.first == 1 { return appendValue(text: binary.dropFirst(), mapping: mapping) }
        case let .array(elementFormat, _):
            if case let .array(elementMapping, _) = mapping,
                appendBinaryArray(binary, format: elementFormat, mapping: elementMapping, scratch: &scratch)
            {
                return
            }
        case .bytea where mapping.isBytea:
            // `"\\x…"`: bytea's hex text as a JSON string (its backslash escaped), written in one piece.
            let count = binary.count
            binary.withUnsafeBufferPointer { source in
                bytes.write(reserving: 2 * count + 5) { out in
                    out[0] = UInt8(ascii: "\"")
                    out[1] = UInt8(ascii: "\\")
                    out[2] = UInt8(ascii: "\\")
                    out[3] = UInt8(ascii: "x")
                    BinaryText.writeHex(source, to: out + 4)
                    out[2 * count + 4] = UInt8(ascii: "\"")
                    return 2 * count + 5
                }
            }
            return
        case .numeric, .date, .uuid, .inet, .macaddr, .macaddr8, .bits, .lsn, .time, .timetz, .interval, .uint32, .uint64, .tid:
            // Texts without a character JSON escapes, written straight between quotes when the
            // text path writes them as strings.
            guard mapping.isQuotedText else { break }
            let mark = bytes.count
            bytes.append(UInt8(ascii: "\""))
            if BinaryText.append(binary, as: format, to: &bytes) {
                bytes.append(UInt8(ascii: "\""))
                return
            }
            bytes.removeSubrange(mark...)
        default:
            break
        }
        scratch.removeAll(keepingCapacity: true)
        if BinaryText.append(binary, as: format, to: &scratch) {
            appendValue(text: scratch[...], mapping: mapping)
        } else {
            appendRaw("\"\\\\x")
            BinaryText.appendHex(binary, to: &bytes)
            appendRaw("\"")
        }
    }

    /// The most common values, written straight from their bytes (the row encoder passes them without
    /// a slice of the tuple, so without reference counting): integers, bool, finite floats, timestamps
    /// of years 1 to 9999, and text written as a string. `false`, nothing written, for every other
    /// value, which takes the general path (the same text for these, only slower).
    ///
    /// `key`, when given, is written first: in one piece with an integer, a bool or a string.
    ///
    /// Transparent, not `@inline(__always)`: in this module the optimizer left the latter as a call
    /// per column (+150 instructions per 4-column binary row, measured with `Benchmarks/micro.sh`).
    @_transparent
    package mutating func appendCommonValue(
        binary raw: UnsafeRawBufferPointer, format: BinaryFormat, mapping: ValueMapping,
        key: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
    ) -> Bool {
        switch format {
        case .int4:
            guard raw.count == 4 else { return false }
            appendInt(Int64(BigEndian.load(Int32.self, from: raw)), after: key)
            return true
        case .int8:
            guard raw.count == 8 else { return false }
            appendInt(BigEndian.load(Int64.self, from: raw), after: key)
            return true
        case .int2:
            guard raw.count == 2 else { return false }
            appendInt(Int64(BigEndian.load(Int16.self, from: raw)), after: key)
            return true
        case .bool:
            guard raw.count == 1 else { return false }
            let text: StaticString = raw[0] != 0 ? "true" : "false"
            bytes.write(reserving: key.count + 5) { out in
                let written = out.copy(key)
                (out + written).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
                return written + text.utf8CodeUnitCount
            }
            return true
        case .textual:
            // The send format is the text itself.
            return appendCommonValue(text: raw, mapping: mapping, key: key)
        case .float8 where mapping.isFloat:
            guard raw.count == 8 else { return false }
            let value = Double(bitPattern: BigEndian.load(UInt64.self, from: raw))
            guard value.isFinite else { return false }
            bytes.appendBytes(key)
            BinaryText.appendShortest(value, to: &bytes)
            return true
        case .float4 where mapping.isFloat:
            guard raw.count == 4 else { return false }
            let value = Float(bitPattern: BigEndian.load(UInt32.self, from: raw))
            guard value.isFinite else { return false }
            bytes.appendBytes(key)
            BinaryText.appendShortest(value, to: &bytes)
            return true
        case .timestamptz where mapping.isTimestamptz, .timestamp where mapping.isTimestamp:
            // Years 1 to 9999 give the same ISO form as the text path; BC, infinity and five-digit
            // years take the general path.
            guard raw.count == 8 else { return false }
            let micros = BigEndian.load(Int64.self, from: raw)
            guard micros >= Self.firstTimestamp, micros < Self.endOfTimestamps else { return false }
            appendTimestampValue(PostgresTimestamp(microsecondsSince2000: micros), zone: mapping.isTimestamptz, after: key)
            return true
        default:
            return false
        }
    }

    /// A value in text form written as a string (its mapping writes it so), straight from its bytes;
    /// `false`, nothing written, for every other mapping.
    @inline(__always)
    package mutating func appendCommonValue(
        text raw: UnsafeRawBufferPointer, mapping: ValueMapping, key: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
    ) -> Bool {
        switch mapping {
        case .numeric, .date, .bytea, .text:
            appendQuoted(raw.assumingMemoryBound(to: UInt8.self), after: key)
            return true
        default:
            return false
        }
    }

    /// An array in `array_send` form straight to a JSON array, each element through
    /// ``appendValue(binary:format:mapping:scratch:)`` — what the text path gives for the same array.
    /// `false` (nothing written) for lower bounds other than 1, which take the text path, and for
    /// malformed bytes.
    private mutating func appendBinaryArray(
        _ binary: ArraySlice<UInt8>, format: BinaryFormat, mapping: ValueMapping, scratch: inout [UInt8]
    ) -> Bool {
        binary.withUnsafeBytes { raw in
            guard let array = BinaryArray(raw), array.lowerBoundsAreOne else { return false }
            if array.dimensions == 1 {
                return appendBinaryList(array, binary, format: format, mapping: mapping, scratch: &scratch)
            }
            let mark = bytes.count
            var offset = array.elementsStart
            if array.count == 0 {
                guard offset == raw.count else { return false }
                appendRaw("[]")
                return true
            }
            for _ in 0..<array.dimensions { bytes.append(UInt8(ascii: "[")) }
            for number in 0..<array.count {
                if number > 0 {
                    let ended = array.dimensionsEnded(before: number)
                    for _ in 0..<ended { bytes.append(UInt8(ascii: "]")) }
                    bytes.append(UInt8(ascii: ","))
                    for _ in 0..<ended { bytes.append(UInt8(ascii: "[")) }
                }
                guard appendElement(array.element(at: &offset), of: binary, raw, format: format, mapping: mapping, scratch: &scratch) else {
                    bytes.removeSubrange(mark...)
                    return false
                }
            }
            for _ in 0..<array.dimensions { bytes.append(UInt8(ascii: "]")) }
            guard offset == raw.count else {
                bytes.removeSubrange(mark...)
                return false
            }
            return true
        }
    }

    /// Appends one element of an array (`binary`, read through `raw`): `null`, or its value — a
    /// common one straight from the bytes (no slice to count references of), others as any value.
    /// `false`, nothing written, when the bytes ended inside it.
    @inline(__always)
    private mutating func appendElement(
        _ element: BinaryArray.Element?, of binary: ArraySlice<UInt8>, _ raw: UnsafeRawBufferPointer, format: BinaryFormat,
        mapping: ValueMapping, scratch: inout [UInt8]
    ) -> Bool {
        switch element {
        case .null?:
            appendRaw("null")
        case let .value(range)?:
            if !appendCommonValue(binary: UnsafeRawBufferPointer(rebasing: raw[range]), format: format, mapping: mapping) {
                let at = binary.startIndex + range.lowerBound
                appendValue(binary: binary[at..<(at + range.count)], format: format, mapping: mapping, scratch: &scratch)
            }
        case nil:
            return false
        }
        return true
    }

    /// A one-dimensional array of `count` integers `width` bytes wide (or NULLs) in one piece;
    /// `false`, nothing written, for malformed bytes and for arrays of over 4,096 elements (the
    /// element-by-element path then takes them).
    @inline(__always)
    private mutating func appendIntegerList(_ array: BinaryArray, width: Int) -> Bool {
        let raw = array.raw
        return appendListInOnePass(array, reserving: 2 + array.count * 22) { out, offset, length in
            guard length == width else { return nil }
            let value: Int64
            switch width {
            case 2: value = Int64(BigEndian.load(Int16.self, from: raw, at: offset))
            case 4: value = Int64(BigEndian.load(Int32.self, from: raw, at: offset))
            default: value = BigEndian.load(Int64.self, from: raw, at: offset)
            }
            guard value < 0 else { return out.writeDecimal(value.magnitude) }
            out[0] = UInt8(ascii: "-")
            return 1 + (out + 1).writeDecimal(value.magnitude)
        }
    }

    /// A one-dimensional array of `count` texts that JSON takes as they are (or NULLs), written as
    /// strings in one piece; `false`, nothing written, when an element needs escaping, for
    /// malformed bytes, and for arrays of over 4,096 elements.
    @inline(__always)
    private mutating func appendPlainTextList(_ array: BinaryArray) -> Bool {
        guard let base = array.raw.baseAddress else { return false }
        // Each element takes at most its bytes, two quotes and a comma; a NULL's "null" fits in its length field.
        return appendListInOnePass(array, reserving: array.raw.count + 3 * array.count + 2) { out, offset, length in
            let start = (base + offset).assumingMemoryBound(to: UInt8.self)
            guard Self.plainPrefixLength(UnsafeBufferPointer(start: start, count: length)) == length else { return nil }
            out[0] = UInt8(ascii: "\"")
            (out + 1).update(from: start, count: length)
            out[1 + length] = UInt8(ascii: "\"")
            return length + 2
        }
    }

    /// The elements of a one-dimensional `array` as a JSON array in one piece of at most
    /// `maxCount` bytes: `element` writes the one at `offset` of ``BinaryArray/raw``, `length` bytes
    /// (not NULL), and returns how many bytes it wrote, or `nil` to give up. `false`, nothing
    /// written, when it gives up, for malformed bytes, and for over 4,096 elements.
    @inline(__always)
    private mutating func appendListInOnePass(
        _ array: BinaryArray, reserving maxCount: Int,
        element: (_ out: UnsafeMutablePointer<UInt8>, _ offset: Int, _ length: Int) -> Int?
    ) -> Bool {
        guard array.count <= 4096 else { return false }
        let mark = bytes.count
        bytes.write(reserving: maxCount) { out in
            // Giving up or malformed bytes: 0 written, nothing appended.
            out[0] = UInt8(ascii: "[")
            var written = 1
            var offset = array.elementsStart
            for number in 0..<array.count {
                if number > 0 {
                    out[written] = UInt8(ascii: ",")
                    written += 1
                }
                switch array.element(at: &offset) {
                case .null?:
                    (out + written).update(from: "null", count: 4)
                    written += 4
                case let .value(range)?:
                    guard let count = element(out + written, range.lowerBound, range.count) else { return 0 }
                    written += count
                case nil:
                    return 0
                }
            }
            guard offset == array.raw.count else { return 0 }
            out[written] = UInt8(ascii: "]")
            return written + 1
        }
        return bytes.count > mark
    }

    /// A one-dimensional array (the common case) of `array_send` bytes `binary`, read as `array`.
    private mutating func appendBinaryList(
        _ array: BinaryArray, _ binary: ArraySlice<UInt8>, format: BinaryFormat, mapping: ValueMapping, scratch: inout [UInt8]
    ) -> Bool {
        switch format {
        case .int4 where appendIntegerList(array, width: 4): return true
        case .int8 where appendIntegerList(array, width: 8): return true
        case .int2 where appendIntegerList(array, width: 2): return true
        case .textual where mapping.isQuotedText && appendPlainTextList(array): return true
        default: break
        }
        let mark = bytes.count
        bytes.append(UInt8(ascii: "["))
        var offset = array.elementsStart
        for number in 0..<array.count {
            if number > 0 { bytes.append(UInt8(ascii: ",")) }
            guard appendElement(array.element(at: &offset), of: binary, array.raw, format: format, mapping: mapping, scratch: &scratch)
            else {
                bytes.removeSubrange(mark...)
                return false
            }
        }
        guard offset == array.raw.count else {
            bytes.removeSubrange(mark...)
            return false
        }
        bytes.append(UInt8(ascii: "]"))
        return true
    }

    /// 0001-01-01 00:00:00 and 10000-01-01 00:00:00, in microseconds since 2000-01-01.
    static let firstTimestamp: Int64 = -63_082_281_600_000_000
    static let endOfTimestamps: Int64 = 252_455_616_000_000_000

    /// `2026-11-25 01:02:03.45+00` → `"2026-11-25T01:02:03.450000Z"`; other forms (infinity, BC,
    /// a non-UTC offset) as PostgreSQL's text.
    mutating func appendTimestampText(_ text: ArraySlice<UInt8>, zone: Bool) {
        guard let parts = ValueText.timestampParts(text, zone: zone) else {
            appendString(utf8: text)
            return
        }
        bytes.append(UInt8(ascii: "\""))
        bytes.appendBytes(text[parts.dateAndTime])
        bytes[bytes.count - (parts.dateAndTime.count - parts.separatorOffset)] = UInt8(ascii: "T")
        bytes.append(UInt8(ascii: "."))
        bytes.appendBytes(text[parts.fraction])
        for _ in parts.fraction.count..<6 { bytes.append(UInt8(ascii: "0")) }
        if zone { bytes.append(UInt8(ascii: "Z")) }
        bytes.append(UInt8(ascii: "\""))
    }
}

extension ValueMapping {
    // Pattern matches, not `==`: the derived equality of this indirect enum is a call per comparison
    // (measured with Benchmarks/micro.sh), and these are asked for every binary value.
    var isFloat: Bool {
        if case .float = self { return true }
        return false
    }
    var isTimestamptz: Bool {
        if case .timestamptz = self { return true }
        return false
    }
    var isTimestamp: Bool {
        if case .timestamp = self { return true }
        return false
    }
    var isBytea: Bool {
        if case .bytea = self { return true }
        return false
    }
    /// `numeric`, `date` or `text`: written as a JSON string of the value's text.
    var isQuotedText: Bool {
        switch self {
        case .numeric, .date, .text: return true
        default: return false
        }
    }
}
