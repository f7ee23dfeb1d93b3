/// Big-endian integers — the byte order of PostgreSQL's protocol, its binary send formats, COPY
/// BINARY, and pgcdc's own files: the one place that reads and writes them. ``ByteReader`` checks
/// lengths and throws; the reads here trust a length their caller checked (or say `nil`), for the
/// hot loops that check a whole value once.
public enum BigEndian {
    /// The integer at byte `offset` of `raw`; the caller has checked that `MemoryLayout<T>.size`
    /// bytes are there. One unaligned load and a byte swap.
    @inlinable @inline(__always)
    public static func load<T: FixedWidthInteger>(_ type: T.Type, from raw: UnsafeRawBufferPointer, at offset: Int = 0) -> T {
        T(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// The integer at index `index` of `bytes` (an index of the slice, not an offset from its
    /// start); the caller has checked that the integer's bytes are there. No slice is made.
    @inlinable @inline(__always)
    public static func load<T: FixedWidthInteger>(_ type: T.Type, from bytes: ArraySlice<UInt8>, at index: Int) -> T {
        bytes.withUnsafeBytes { load(T.self, from: $0, at: index - bytes.startIndex) }
    }

    /// The integer that fills `bytes` exactly; `nil` when `bytes` has another length.
    @inlinable @inline(__always)
    public static func integer<T: FixedWidthInteger>(_ type: T.Type, _ bytes: ArraySlice<UInt8>) -> T? {
        guard bytes.count == MemoryLayout<T>.size else { return nil }
        return bytes.withUnsafeBytes { load(T.self, from: $0) }
    }

    /// The integer `offset` bytes into `bytes`; bytes past the end count as zero (for callers that
    /// checked the length first and read files they wrote themselves).
    @inlinable
    public static func read<T: FixedWidthInteger>(_ type: T.Type, _ bytes: ArraySlice<UInt8>, at offset: Int) -> T {
        var value: T = 0
        for byte in bytes.dropFirst(offset).prefix(MemoryLayout<T>.size) { value = value << 8 | T(byte) }
        return value
    }

    /// Appends `value`, most significant byte first.
    @inlinable
    public static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}
