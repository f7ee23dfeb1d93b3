import PGOutput

/// Turns values in PostgreSQL's binary send format into the text its output function gives (with
/// the session settings pgcdc pins: ISO dates, UTC, IntervalStyle postgres, bytea hex, shortest
/// floats), appended to `out`. Every function returns `false` for bytes that are not a valid
/// value of the type, leaving `out` as it was.
package enum BinaryText {
    /// Appends the text form of `bytes`, a value in `format`'s binary form.
    package static func append(_ bytes: ArraySlice<UInt8>, as format: BinaryFormat, to out: inout [UInt8]) -> Bool {
        let mark = out.count
        let done = appendUnchecked(bytes, as: format, to: &out)
        if !done { out.removeSubrange(mark...) }
        return done
    }

    private static func appendUnchecked(_ bytes: ArraySlice<UInt8>, as format: BinaryFormat, to out: inout [UInt8]) -> Bool {
        switch format {
        case .bool:
            guard bytes.count == 1, let byte = bytes.first else { return false }
            out.append(byte != 0 ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        case .int2:
            guard let value = BigEndian.integer(Int16.self, bytes) else { return false }
            appendDecimal(Int64(value), to: &out)
        case .int4:
            guard let value = BigEndian.integer(Int32.self, bytes) else { return false }
            appendDecimal(Int64(value), to: &out)
        case .int8:
            guard let value = BigEndian.integer(Int64.self, bytes) else { return false }
            appendDecimal(value, to: &out)
        case .uint32:
            guard let value = BigEndian.integer(UInt32.self, bytes) else { return false }
            appendDecimal(UInt64(value), to: &out)
        case .uint64:
            guard let value = BigEndian.integer(UInt64.self, bytes) else { return false }
            appendDecimal(value, to: &out)
        case .float4:
            guard let bits = BigEndian.integer(UInt32.self, bytes) else { return false }
            appendShortest(Float(bitPattern: bits), to: &out)
        case .float8:
            guard let bits = BigEndian.integer(UInt64.self, bytes) else { return false }
            appendShortest(Double(bitPattern: bits), to: &out)
        case .numeric:
            return appendNumeric(bytes, to: &out)
        case .textual:
            out.appendBytes(bytes)
        case .jsonb:
            guard bytes.first == 1 else { return false }
            out.append(contentsOf: bytes.dropFirst())
        case .char:
            guard bytes.count <= 1 else { return false }
            // char_out: a high-bit byte is written as \ooo (PostgreSQL 15+); NUL as nothing.
            if let byte = bytes.first, byte != 0 {
                if byte < 0x80 {
                    out.append(byte)
                } else {
                    out.append(UInt8(ascii: "\\"))
                    for shift in [6, 3, 0] { out.append(UInt8(ascii: "0") + (byte >> UInt8(shift)) & 7) }
                }
            }
        case .bytea:
            out.append(UInt8(ascii: "\\"))
            out.append(UInt8(ascii: "x"))
            appendHex(bytes, to: &out)
        case .uuid:
            guard bytes.count == 16 else { return false }
            // 8-4-4-4-12 hex digits in one piece.
            bytes.withUnsafeBufferPointer { source in
                out.write(reserving: 36) { text in
                    var count = 0
                    for index in 0..<16 {
                        if index == 4 || index == 6 || index == 8 || index == 10 {
                            text[count] = UInt8(ascii: "-")
                            count += 1
                        }
                        text[count] = hexDigit(source[index] >> 4)
                        text[count + 1] = hexDigit(source[index] & 0x0F)
                        count += 2
                    }
                    return count
                }
            }
        case .date:
            guard let days = BigEndian.integer(Int32.self, bytes) else { return false }
            appendDate(days, to: &out)
        case .time:
            guard let micros = BigEndian.integer(Int64.self, bytes) else { return false }
            appendTime(micros, to: &out)
        case .timetz:
            guard bytes.count == 12, let micros = BigEndian.integer(Int64.self, bytes.prefix(8)),
                let zone = BigEndian.integer(Int32.self, bytes.suffix(4))
            else { return false }
            appendTime(micros, to: &out)
            appendZone(-Int(zone), to: &out)
        case .timestamp:
            guard let micros = BigEndian.integer(Int64.self, bytes) else { return false }
            appendTimestamp(micros, zone: false, to: &out)
        case .timestamptz:
            guard let micros = BigEndian.integer(Int64.self, bytes) else { return false }
            appendTimestamp(micros, zone: true, to: &out)
        case .interval:
            guard bytes.count == 16, let micros = BigEndian.integer(Int64.self, bytes.prefix(8)),
                let days = BigEndian.integer(Int32.self, bytes.dropFirst(8).prefix(4)),
                let months = BigEndian.integer(Int32.self, bytes.suffix(4))
            else { return false }
            appendInterval(micros: micros, days: days, months: months, to: &out)
        case .inet:
            return appendInet(bytes, to: &out)
        case .macaddr, .macaddr8:
            guard bytes.count == (format == .macaddr ? 6 : 8) else { return false }
            for (index, byte) in bytes.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ":")) }
                appendHexByte(byte, to: &out)
            }
        case .bits:
            guard let length = BigEndian.integer(Int32.self, bytes.prefix(4)), length >= 0, (Int(length) + 7) / 8 == bytes.count - 4 else {
                return false
            }
            let data = bytes.dropFirst(4)
            for bit in 0..<Int(length) {
                let byte = data[data.startIndex + bit / 8]
                out.append(byte & (0x80 >> UInt8(bit % 8)) != 0 ? UInt8(ascii: "1") : UInt8(ascii: "0"))
            }
        case .lsn:
            guard let value = BigEndian.integer(UInt64.self, bytes) else { return false }
            appendUpperHex(value >> 32, to: &out)
            out.append(UInt8(ascii: "/"))
            appendUpperHex(value & 0xFFFF_FFFF, to: &out)
        case .tid:
            guard bytes.count == 6, let block = BigEndian.integer(UInt32.self, bytes.prefix(4)),
                let offset = BigEndian.integer(UInt16.self, bytes.suffix(2))
            else { return false }
            out.append(UInt8(ascii: "("))
            appendDecimal(UInt64(block), to: &out)
            out.append(UInt8(ascii: ","))
            appendDecimal(UInt64(offset), to: &out)
            out.append(UInt8(ascii: ")"))
        case let .array(element, delimiter):
            return appendArray(bytes, element: element, delimiter: delimiter, to: &out)
        case let .money(money):
            guard let value = BigEndian.integer(Int64.self, bytes) else { return false }
            money.append(value, to: &out)
        case .point, .line, .lseg, .box, .path, .polygon, .circle:
            return appendGeometry(bytes, as: format, to: &out)
        case .tsvector:
            return appendTSVector(bytes, to: &out)
        case .tsquery:
            return appendTSQuery(bytes, to: &out)
        case .snapshot:
            return appendSnapshot(bytes, to: &out)
        case let .vector(element):
            return appendVector(bytes, element: element, to: &out)
        case let .range(subtype):
            return appendRange(bytes, subtype: subtype, to: &out)
        case let .multirange(subtype):
            return appendMultirange(bytes, subtype: subtype, to: &out)
        case let .composite(fields):
            return appendComposite(bytes, fields: fields, to: &out)
        case .unsupported:
            return false
        }
        return true
    }

    // MARK: - Pieces

    static func appendDecimal(_ value: Int64, to out: inout [UInt8]) {
        out.write(reserving: 21) { digits in
            if value < 0 {
                digits[0] = UInt8(ascii: "-")
                return 1 + (digits + 1).writeDecimal(value.magnitude)
            }
            return digits.writeDecimal(value.magnitude)
        }
    }

    static func appendDecimal(_ value: UInt64, to out: inout [UInt8]) {
        out.write(reserving: 20) { $0.writeDecimal(value) }
    }

    /// `value` in decimal, zero-padded to at least `width` digits.
    static func appendPadded(_ value: Int, width: Int, to out: inout [UInt8]) {
        let magnitude = UInt64(value.magnitude)
        var digits = 1
        var limit: UInt64 = 10
        while digits < 20 && magnitude >= limit {
            digits += 1
            limit = digits == 20 ? .max : limit &* 10
        }
        let padding = Swift.max(width, digits) - digits
        out.write(reserving: 21 + padding) { text in
            var start = 0
            if value < 0 {
                text[0] = UInt8(ascii: "-")
                start = 1
            }
            (text + start).update(repeating: UInt8(ascii: "0"), count: padding)
            return start + padding + (text + start + padding).writeDecimal(magnitude)
        }
    }

    /// Lowercase hexadecimal digits of `bytes` (bytea's hex output without its `\\x`).
    static func appendHex(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) {
        let count = bytes.count
        bytes.withUnsafeBufferPointer { source in
            out.write(reserving: 2 * count) { text in
                writeHex(source, to: text)
                return 2 * count
            }
        }
    }

    /// Writes the lowercase hexadecimal digits of `source` at `text` (2 bytes per byte).
    @inline(__always)
    static func writeHex(_ source: UnsafeBufferPointer<UInt8>, to text: UnsafeMutablePointer<UInt8>) {
        let digits: StaticString = "0123456789abcdef"
        let hex = digits.utf8Start
        for index in 0..<source.count {
            let byte = source[index]
            text[2 * index] = hex[Int(byte >> 4)]
            text[2 * index + 1] = hex[Int(byte & 0x0F)]
        }
    }

    static func appendHexByte(_ byte: UInt8, to out: inout [UInt8]) {
        out.write(reserving: 2) { text in
            text[0] = hexDigit(byte >> 4)
            text[1] = hexDigit(byte & 0x0F)
            return 2
        }
    }

    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    private static func appendUpperHex(_ value: UInt64, to out: inout [UInt8]) {
        out.append(contentsOf: String(value, radix: 16, uppercase: true).utf8)
    }
}
