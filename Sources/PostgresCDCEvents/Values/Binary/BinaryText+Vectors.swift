import PGOutput

/// `txid_snapshot`/`pg_snapshot` and `int2vector`/`oidvector`.
extension BinaryText {
    /// Int32 in-progress count, UInt64 xmin, UInt64 xmax, the in-progress ids; text `xmin:xmax:xip,xip`.
    static func appendSnapshot(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) -> Bool {
        var reader = ByteReader(bytes, context: "snapshot")
        guard let count = try? reader.readInt32(), count >= 0, let xmin = try? reader.readUInt64(), let xmax = try? reader.readUInt64(),
            reader.remaining == Int(count) * 8
        else { return false }
        appendDecimal(xmin, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDecimal(xmax, to: &out)
        out.append(UInt8(ascii: ":"))
        for index in 0..<Int(count) {
            guard let xid = try? reader.readUInt64() else { return false }
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendDecimal(xid, to: &out)
        }
        return true
    }

    /// An `array_send` of at most one dimension without NULLs, its elements separated by spaces
    /// (`int2vectorout`, `oidvectorout`).
    static func appendVector(_ bytes: ArraySlice<UInt8>, element: BinaryFormat, to out: inout [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            guard let array = BinaryArray(raw), array.dimensions <= 1 else { return false }
            var offset = array.elementsStart
            for index in 0..<array.count {
                if index > 0 { out.append(UInt8(ascii: " ")) }
                // No NULLs in a vector.
                guard case let .value(range)? = array.element(at: &offset) else { return false }
                let from = bytes.startIndex + range.lowerBound
                guard append(bytes[from..<(from + range.count)], as: element, to: &out) else { return false }
            }
            return offset == raw.count
        }
    }
}
