/// Reads big-endian integers, C strings and byte ranges from a received message, throwing
/// ``PGOutputError`` — never trapping — when the bytes run out or do not fit.
///
/// Offsets in errors are relative to the start of the slice the reader was made from.
public struct ByteReader {
    /// The bytes being read (shared with the received buffer; nothing is copied).
    public let bytes: ArraySlice<UInt8>
    @usableFromInline var position: Int
    /// The message being read, named in errors ("Insert ('I')", "XLogData", ...).
    public var context: StaticString

    /// A reader at the start of `bytes`.
    @inlinable
    public init(_ bytes: ArraySlice<UInt8>, context: StaticString = "replication") {
        self.bytes = bytes
        self.position = bytes.startIndex
        self.context = context
    }

    /// Bytes consumed so far.
    @inlinable public var offset: Int { position - bytes.startIndex }
    /// Bytes not read yet.
    @inlinable public var remaining: Int { bytes.endIndex - position }
    /// The absolute index of the next byte in `bytes`' base array.
    @inlinable public var index: Int { position }

    @inlinable
    func truncated(_ needed: Int) -> PGOutputError {
        .truncated(message: "\(context)", offset: offset, needed: needed, available: remaining)
    }

    /// A `.malformed` error at the current offset.
    @inlinable
    public func malformed(_ reason: String) -> PGOutputError {
        .malformed(message: "\(context)", offset: offset, reason: reason)
    }

    /// The integer at the position, whose bytes the caller checked are there.
    @inlinable @inline(__always)
    func load<T: FixedWidthInteger>(_ type: T.Type) -> T {
        BigEndian.load(T.self, from: bytes, at: position)
    }

    /// Reads one byte.
    @inlinable
    public mutating func readUInt8() throws(PGOutputError) -> UInt8 {
        guard position < bytes.endIndex else { throw truncated(1) }
        defer { position += 1 }
        return bytes[position]
    }

    /// Reads a big-endian 16-bit signed integer.
    @inlinable
    public mutating func readInt16() throws(PGOutputError) -> Int16 {
        guard remaining >= 2 else { throw truncated(2) }
        defer { position += 2 }
        return load(Int16.self)
    }

    /// Reads a big-endian 32-bit unsigned integer.
    @inlinable
    public mutating func readUInt32() throws(PGOutputError) -> UInt32 {
        guard remaining >= 4 else { throw truncated(4) }
        defer { position += 4 }
        return load(UInt32.self)
    }

    /// Reads a big-endian 32-bit signed integer.
    @inlinable
    public mutating func readInt32() throws(PGOutputError) -> Int32 {
        Int32(bitPattern: try readUInt32())
    }

    /// Reads a big-endian 64-bit unsigned integer.
    @inlinable
    public mutating func readUInt64() throws(PGOutputError) -> UInt64 {
        guard remaining >= 8 else { throw truncated(8) }
        defer { position += 8 }
        return load(UInt64.self)
    }

    /// Reads a big-endian 64-bit signed integer.
    @inlinable
    public mutating func readInt64() throws(PGOutputError) -> Int64 {
        Int64(bitPattern: try readUInt64())
    }

    /// Reads an LSN (64 bits).
    @inlinable
    public mutating func readLSN() throws(PGOutputError) -> LSN {
        LSN(try readUInt64())
    }

    /// Reads a timestamp (64-bit microseconds since 2000-01-01 UTC).
    @inlinable
    public mutating func readTimestamp() throws(PGOutputError) -> PostgresTimestamp {
        PostgresTimestamp(microsecondsSince2000: try readInt64())
    }

    /// Reads a NUL-terminated string, which must be valid UTF-8.
    public mutating func readCString() throws(PGOutputError) -> String {
        guard let end = bytes[position...].firstIndex(of: 0) else {
            throw PGOutputError.truncated(message: "\(context)", offset: offset, needed: remaining + 1, available: remaining)
        }
        guard let text = String(validating: bytes[position..<end], as: UTF8.self) else {
            throw PGOutputError.invalidUTF8(message: "\(context)", offset: offset)
        }
        position = end + 1
        return text
    }

    /// Reads `count` bytes without copying them; `count` is checked before anything else.
    @inlinable
    public mutating func readBytes(count: Int) throws(PGOutputError) -> ArraySlice<UInt8> {
        guard count >= 0 else { throw malformed("negative length \(count)") }
        guard count <= remaining else { throw truncated(count) }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    /// Reads a 32-bit length followed by that many bytes.
    @inlinable
    public mutating func readLengthPrefixedBytes() throws(PGOutputError) -> ArraySlice<UInt8> {
        let lengthOffset = offset
        let length = try readInt32()
        guard length >= 0 else {
            throw PGOutputError.malformed(message: "\(context)", offset: lengthOffset, reason: "negative length \(length)")
        }
        return try readBytes(count: Int(length))
    }

    /// Reads the rest of the bytes.
    @inlinable
    public mutating func readRemainingBytes() -> ArraySlice<UInt8> {
        defer { position = bytes.endIndex }
        return bytes[position..<bytes.endIndex]
    }

    /// Throws unless every byte was read.
    @inlinable
    public func expectEnd() throws(PGOutputError) {
        guard remaining == 0 else { throw malformed("\(remaining) trailing bytes") }
    }
}
