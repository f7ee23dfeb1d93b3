/// Big-endian integers in the files pgcdc writes for itself (spill files, prepared transactions).
enum BigEndian {
    /// Appends `value`, most significant byte first.
    static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// The integer `offset` bytes into `bytes`; bytes past the end count as zero (callers check lengths first).
    static func read<T: FixedWidthInteger>(_ type: T.Type, _ bytes: ArraySlice<UInt8>, at offset: Int) -> T {
        var value: T = 0
        for byte in bytes.dropFirst(offset).prefix(MemoryLayout<T>.size) { value = value << 8 | T(byte) }
        return value
    }
}
