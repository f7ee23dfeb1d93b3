import PGOutput

/// Reads COPY's binary format (`COPY … TO STDOUT (FORMAT binary)`): an 11-byte signature, flags and
/// a header extension, then per row a 16-bit field count and each field as a 32-bit length (-1 for
/// NULL) and its bytes, and a count of -1 at the end. See the COPY documentation, "Binary Format".
///
/// The bytes may arrive in pieces of any size: ``parse(_:from:into:)`` takes the complete rows and
/// leaves a partial one for the next call. Each row becomes the same ``TupleData`` that pgoutput
/// sends, its columns' ranges pointing into the buffer parsed.
package struct CopyBinaryParser: Sendable {
    /// The COPY format: which columns were sent in binary, which as text.
    package let format: CopyFormat
    /// The number of columns each row must have.
    package let columnCount: Int
    /// Whether the end marker was read.
    private(set) var isFinished = false
    private var sawHeader = false
    /// Bytes of the copy before the current buffer's `start`, for offsets in errors.
    private var streamOffset = 0
    /// Rows parsed so far, for errors.
    package private(set) var rows = 0

    private static let signature: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00]
    /// Flag bit 16 says each row carries an OID; bits 17–31 are critical, unknown ones must fail.
    private static let criticalFlags: UInt32 = 0xFFFF_0000

    package init(format: CopyFormat, columnCount: Int) {
        self.format = format
        self.columnCount = columnCount
    }

    /// Parses the complete rows of `buffer[start...]` into `tuples` (their columns ranges into
    /// `buffer`), and returns where the unparsed rest begins (a partial row, or the end).
    package mutating func parse(_ buffer: [UInt8], from start: Int, into tuples: inout [[TupleData.Column]]) throws(CopyRowError) -> Int {
        var result: Result<Int, CopyRowError> = .success(start)
        buffer.withUnsafeBytes { bytes in
            result = parse(bytes, from: start, into: &tuples)
        }
        let end = try result.get()
        streamOffset += end - start
        return end
    }

    /// Throws when the copy ended (`rest` unparsed bytes left) without its end marker.
    func checkEnd(rest: Int) throws(CopyRowError) {
        guard isFinished else { throw .truncated(offset: streamOffset, bytes: rest) }
    }

    private mutating func parse(_ bytes: UnsafeRawBufferPointer, from start: Int, into tuples: inout [[TupleData.Column]])
        -> Result<Int, CopyRowError>
    {
        var index = start
        let end = bytes.count
        func int16(at offset: Int) -> Int16 { BigEndian.load(Int16.self, from: bytes, at: offset) }
        func int32(at offset: Int) -> Int32 { BigEndian.load(Int32.self, from: bytes, at: offset) }
        if !sawHeader {
            let fixed = Self.signature.count + 8
            guard end - index >= fixed else { return .success(index) }
            guard Self.signature.indices.allSatisfy({ bytes[index + $0] == Self.signature[$0] }) else {
                return .failure(.badSignature)
            }
            let flags = UInt32(bitPattern: int32(at: index + Self.signature.count))
            guard flags & Self.criticalFlags == 0 else { return .failure(.unsupportedFlags(flags)) }
            let extensionLength = int32(at: index + Self.signature.count + 4)
            guard extensionLength >= 0 else {
                return .failure(.negativeLength(offset: streamOffset + index - start + Self.signature.count + 4))
            }
            guard end - index - fixed >= Int(extensionLength) else { return .success(index) }
            index += fixed + Int(extensionLength)
            sawHeader = true
        }
        while !isFinished && end - index >= 2 {
            let rowStart = index
            let count = int16(at: index)
            if count == -1 {
                isFinished = true
                index += 2
                break
            }
            guard Int(count) == columnCount else {
                return .failure(.columnCount(expected: columnCount, found: Int(count)))
            }
            var cursor = index + 2
            var columns: [TupleData.Column] = []
            columns.reserveCapacity(columnCount)
            var complete = true
            for column in 0..<columnCount {
                guard end - cursor >= 4 else {
                    complete = false
                    break
                }
                let length = int32(at: cursor)
                cursor += 4
                if length == -1 {
                    columns.append(TupleData.Column(kind: .null, range: cursor..<cursor))
                    continue
                }
                guard length >= 0 else { return .failure(.negativeLength(offset: streamOffset + cursor - 4 - start)) }
                guard end - cursor >= Int(length) else {
                    complete = false
                    break
                }
                columns.append(TupleData.Column(kind: format.kind(ofColumn: column), range: cursor..<(cursor + Int(length))))
                cursor += Int(length)
            }
            guard complete else { return .success(rowStart) }
            tuples.append(columns)
            rows += 1
            index = cursor
        }
        if isFinished && index < end {
            return .failure(.dataAfterEnd(offset: streamOffset + index - start))
        }
        return .success(index)
    }
}
