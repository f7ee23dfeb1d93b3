import PGOutput

/// Geometric types: float8 coordinates, each written as `float8out` writes it (shortest
/// round-trip digits). `point` `(x,y)`, `line` `{A,B,C}`, `lseg` `[(x1,y1),(x2,y2)]`, `box`
/// `(high),(low)`, `path` a closed flag, Int32 count and points — `((…))` closed, `[(…)]` open —,
/// `polygon` Int32 count and points `((…))`, `circle` `<(x,y),r>`.
extension BinaryText {
    static func appendGeometry(_ bytes: ArraySlice<UInt8>, as format: BinaryFormat, to out: inout [UInt8]) -> Bool {
        var reader = ByteReader(bytes, context: "geometric value")
        guard let done = try? appendGeometry(&reader, as: format, to: &out), done, reader.remaining == 0 else { return false }
        return true
    }

    private static func appendGeometry(_ reader: inout ByteReader, as format: BinaryFormat, to out: inout [UInt8])
        throws(PGOutputError) -> Bool
    {
        switch format {
        case .point:
            try appendPoint(&reader, to: &out)
        case .line:
            out.append(UInt8(ascii: "{"))
            try appendFloat(&reader, to: &out)
            out.append(UInt8(ascii: ","))
            try appendFloat(&reader, to: &out)
            out.append(UInt8(ascii: ","))
            try appendFloat(&reader, to: &out)
            out.append(UInt8(ascii: "}"))
        case .lseg:
            out.append(UInt8(ascii: "["))
            try appendPoints(&reader, count: 2, to: &out)
            out.append(UInt8(ascii: "]"))
        case .box:
            try appendPoints(&reader, count: 2, to: &out)
        case .path:
            let closed = try reader.readUInt8()
            guard closed <= 1 else { return false }
            let count = try pointCount(&reader)
            out.append(closed == 1 ? UInt8(ascii: "(") : UInt8(ascii: "["))
            try appendPoints(&reader, count: count, to: &out)
            out.append(closed == 1 ? UInt8(ascii: ")") : UInt8(ascii: "]"))
        case .polygon:
            let count = try pointCount(&reader)
            out.append(UInt8(ascii: "("))
            try appendPoints(&reader, count: count, to: &out)
            out.append(UInt8(ascii: ")"))
        case .circle:
            out.append(UInt8(ascii: "<"))
            try appendPoint(&reader, to: &out)
            out.append(UInt8(ascii: ","))
            try appendFloat(&reader, to: &out)
            out.append(UInt8(ascii: ">"))
        default:
            return false
        }
        return true
    }

    /// A path's or polygon's point count: at least one, and no more than the bytes can hold.
    private static func pointCount(_ reader: inout ByteReader) throws(PGOutputError) -> Int {
        let count = try reader.readInt32()
        guard count > 0, Int(count) <= reader.remaining / 16 else { throw reader.malformed("bad point count \(count)") }
        return Int(count)
    }

    private static func appendPoints(_ reader: inout ByteReader, count: Int, to out: inout [UInt8]) throws(PGOutputError) {
        for index in 0..<count {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            try appendPoint(&reader, to: &out)
        }
    }

    private static func appendPoint(_ reader: inout ByteReader, to out: inout [UInt8]) throws(PGOutputError) {
        out.append(UInt8(ascii: "("))
        try appendFloat(&reader, to: &out)
        out.append(UInt8(ascii: ","))
        try appendFloat(&reader, to: &out)
        out.append(UInt8(ascii: ")"))
    }

    private static func appendFloat(_ reader: inout ByteReader, to out: inout [UInt8]) throws(PGOutputError) {
        appendShortest(Double(bitPattern: try reader.readUInt64()), to: &out)
    }
}
