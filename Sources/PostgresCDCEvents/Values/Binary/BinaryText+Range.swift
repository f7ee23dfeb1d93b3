import PGOutput

/// Ranges and multiranges. `range_send`: a flags byte, then (unless empty) each finite bound as
/// Int32 length and the subtype's send format. `range_out`: `empty`, or `[`/`(`, the bounds
/// (nothing for an infinite one) quoted when `range_in` needs it, `]`/`)`. A multirange is Int32
/// count and that many length-prefixed ranges, written `{r1,r2}`.
extension BinaryText {
    private static let empty: UInt8 = 0x01
    private static let lowerInclusive: UInt8 = 0x02
    private static let upperInclusive: UInt8 = 0x04
    private static let lowerInfinite: UInt8 = 0x08
    private static let upperInfinite: UInt8 = 0x10
    /// The flags `range_recv` reads (RANGE_EMPTY … RANGE_UB_INF).
    private static let knownFlags: UInt8 = 0x1F

    static func appendRange(_ bytes: ArraySlice<UInt8>, subtype: BinaryFormat, to out: inout [UInt8]) -> Bool {
        let mark = out.count
        var reader = ByteReader(bytes, context: "range")
        guard (try? appendRange(&reader, subtype: subtype, to: &out)) != nil, reader.remaining == 0 else {
            out.removeSubrange(mark...)
            return false
        }
        return true
    }

    static func appendMultirange(_ bytes: ArraySlice<UInt8>, subtype: BinaryFormat, to out: inout [UInt8]) -> Bool {
        var reader = ByteReader(bytes, context: "multirange")
        guard let count = try? reader.readInt32(), count >= 0, Int(count) <= reader.remaining / 5 else { return false }
        out.append(UInt8(ascii: "{"))
        for index in 0..<Int(count) {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            guard let range = try? reader.readLengthPrefixedBytes(), appendRange(range, subtype: subtype, to: &out) else { return false }
        }
        out.append(UInt8(ascii: "}"))
        return reader.remaining == 0
    }

    private static func appendRange(_ reader: inout ByteReader, subtype: BinaryFormat, to out: inout [UInt8]) throws(PGOutputError) {
        // range_recv keeps only these flags, and an empty range has no bounds whatever the others say.
        let flags = try reader.readUInt8() & knownFlags
        if flags & empty != 0 { return out.append(contentsOf: "empty".utf8) }
        out.append(flags & lowerInclusive != 0 ? UInt8(ascii: "[") : UInt8(ascii: "("))
        var bound: [UInt8] = []
        if flags & lowerInfinite == 0 {
            guard append(try reader.readLengthPrefixedBytes(), as: subtype, to: &bound) else { throw reader.malformed("range bound") }
            appendQuoted(bound, specials: rangeSpecials, to: &out)
        }
        out.append(UInt8(ascii: ","))
        if flags & upperInfinite == 0 {
            bound.removeAll(keepingCapacity: true)
            guard append(try reader.readLengthPrefixedBytes(), as: subtype, to: &bound) else { throw reader.malformed("range bound") }
            appendQuoted(bound, specials: rangeSpecials, to: &out)
        }
        out.append(flags & upperInclusive != 0 ? UInt8(ascii: "]") : UInt8(ascii: ")"))
    }

    /// Bytes that make `range_out` quote a bound (besides white space).
    private static let rangeSpecials: [UInt8] = Array(#""\()[],"#.utf8)

    /// A range bound or composite field as `range_out`/`record_out` write it: double-quoted when
    /// empty or holding one of `specials` or white space, with `"` and `\` doubled inside.
    static func appendQuoted(_ text: [UInt8], specials: [UInt8], to out: inout [UInt8]) {
        let needsQuotes = text.isEmpty || text.contains { specials.contains($0) || isSpace($0) }
        guard needsQuotes else { return out.append(contentsOf: text) }
        out.append(UInt8(ascii: "\""))
        for byte in text {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(byte) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
    }

    /// C `isspace` in the C locale: space, \t, \n, \v, \f, \r.
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || (byte >= 0x09 && byte <= 0x0D)
    }
}
