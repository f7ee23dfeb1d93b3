/// The column values of one row as pgoutput sends them (`TupleData`): each column is NULL,
/// an unchanged TOAST value, or text/binary bytes.
///
/// The bytes stay in the received buffer; `columns` holds one range per column into it.
public struct TupleData: Sendable {
    /// How a column was sent.
    public enum Kind: UInt8, Sendable {
        /// `'n'`: NULL.
        case null = 0x6E
        /// `'u'`: an unchanged TOASTed value, not sent.
        case unchangedToast = 0x75
        /// `'t'`: the value's text form.
        case text = 0x74
        /// `'b'`: the value's binary form.
        case binary = 0x62
    }

    /// One column: how it was sent and where its bytes are in ``storage``.
    public struct Column: Sendable, Hashable {
        /// How it was sent.
        public var kind: Kind
        /// Its bytes in ``TupleData/storage`` (empty for NULL and unchanged).
        public var range: Range<Int>

        /// A column from its fields.
        public init(kind: Kind, range: Range<Int>) {
            self.kind = kind
            self.range = range
        }
    }

    /// The bytes the column ranges index into.
    public let storage: ArraySlice<UInt8>
    /// The columns, in table order.
    public let columns: [Column]

    /// A tuple from its parts; every range must lie within `storage`.
    public init(storage: ArraySlice<UInt8>, columns: [Column]) {
        self.storage = storage
        self.columns = columns
    }

    /// The number of columns.
    public var count: Int { columns.count }

    /// The bytes of column `index`; `nil` for NULL, unchanged TOAST or an index out of range.
    public func value(at index: Int) -> ArraySlice<UInt8>? {
        guard index >= 0, index < columns.count else { return nil }
        let column = columns[index]
        switch column.kind {
        case .null, .unchangedToast: return nil
        case .text, .binary: return storage[column.range]
        }
    }

    /// Decodes `Int16 count` and the columns.
    public static func decode(from reader: inout ByteReader) throws(PGOutputError) -> TupleData {
        var columns: [Column] = []
        return try decode(from: &reader, reusing: &columns)
    }

    /// Decodes `Int16 count` and the columns into `spare`'s storage when nothing else holds it (see
    /// ``TupleRecycler``); `spare` then shares the tuple's columns.
    public static func decode(from reader: inout ByteReader, reusing spare: inout [Column]) throws(PGOutputError) -> TupleData {
        // Well-formed tuples are read through a pointer; anything else is read again by the checked
        // reader below, which throws the error with its offset.
        if let tuple = decodeWellFormed(from: &reader, reusing: &spare) { return tuple }
        return try decodeChecked(from: &reader)
    }

    /// The tuple at the reader's position when it is well formed (the reader then moves past it);
    /// `nil`, the reader untouched, otherwise. One pass over the bytes, no slice per column.
    @inline(__always)
    static func decodeWellFormed(from reader: inout ByteReader, reusing columns: inout [Column]) -> TupleData? {
        let bytes = reader.bytes
        let start = reader.position
        let base = bytes.startIndex
        let end = bytes.endIndex
        guard end - start >= 2 else { return nil }
        let wellFormed: Bool = bytes.withUnsafeBytes { raw -> Bool in
            // raw[0] is bytes[base]; offsets below are into raw.
            let limit = raw.count
            var offset = start - base
            let count = Int(BigEndian.load(Int16.self, from: raw, at: offset))
            offset += 2
            guard count >= 0, count <= limit - offset else { return false }
            var wellFormed = true
            // The next column, or `nil` (wellFormed false) at malformed bytes.
            @inline(__always) func next() -> Column? {
                guard offset < limit else { return nil }
                let tag = raw[offset]
                offset += 1
                if tag == Kind.binary.rawValue || tag == Kind.text.rawValue {
                    guard limit - offset >= 4 else { return nil }
                    let length = Int(BigEndian.load(UInt32.self, from: raw, at: offset))
                    // A length with the top bit set is negative: malformed.
                    guard length < 1 << 31, length <= limit - offset - 4 else { return nil }
                    let from = base + offset + 4
                    offset += 4 + length
                    return Column(kind: tag == Kind.text.rawValue ? .text : .binary, range: from..<(from + length))
                }
                guard tag == Kind.null.rawValue || tag == Kind.unchangedToast.rawValue else { return nil }
                let at = base + offset
                return Column(kind: tag == Kind.null.rawValue ? .null : .unchangedToast, range: at..<at)
            }
            if columns.count == count {
                // The same number of columns as the last tuple (the common case): written over in
                // place when nothing else holds the array, into a copy otherwise.
                columns.withUnsafeMutableBufferPointer { out in
                    for index in 0..<count {
                        guard let column = next() else {
                            wellFormed = false
                            return
                        }
                        out[index] = column
                    }
                }
            } else {
                // Appended into the room made once (no capacity or uniqueness check per column).
                columns.removeAll(keepingCapacity: true)
                columns.append(addingCapacity: count) { span in
                    for _ in 0..<count {
                        guard let column = next() else {
                            wellFormed = false
                            return
                        }
                        span.append(column)
                    }
                }
            }
            guard wellFormed else { return false }
            reader.position = base + offset
            return true
        }
        return wellFormed ? TupleData(storage: bytes, columns: columns) : nil
    }

    /// Decodes `Int16 count` and the columns with the throwing reader (errors name the offset).
    static func decodeChecked(from reader: inout ByteReader) throws(PGOutputError) -> TupleData {
        let countOffset = reader.offset
        let count = Int(try reader.readInt16())
        guard count >= 0 else {
            throw PGOutputError.malformed(message: "\(reader.context)", offset: countOffset, reason: "negative column count \(count)")
        }
        // Every column takes at least its kind byte: check before reserving anything.
        guard count <= reader.remaining else {
            throw PGOutputError.truncated(message: "\(reader.context)", offset: reader.offset, needed: count, available: reader.remaining)
        }
        var columns: [Column] = []
        columns.reserveCapacity(count)
        for _ in 0..<count {
            let kindOffset = reader.offset
            let tag = try reader.readUInt8()
            switch tag {
            case Kind.null.rawValue:
                columns.append(Column(kind: .null, range: reader.index..<reader.index))
            case Kind.unchangedToast.rawValue:
                columns.append(Column(kind: .unchangedToast, range: reader.index..<reader.index))
            case Kind.text.rawValue, Kind.binary.rawValue:
                let value = try reader.readLengthPrefixedBytes()
                columns.append(Column(kind: tag == Kind.text.rawValue ? .text : .binary, range: value.startIndex..<value.endIndex))
            default:
                throw PGOutputError.unknownMessageType(layer: "TupleData column", tag: tag, offset: kindOffset)
            }
        }
        return TupleData(storage: reader.bytes, columns: columns)
    }
}

extension TupleData: Equatable {
    /// Equal when the columns have the same kinds and the same bytes.
    public static func == (lhs: TupleData, rhs: TupleData) -> Bool {
        guard lhs.columns.count == rhs.columns.count else { return false }
        for index in 0..<lhs.columns.count {
            guard lhs.columns[index].kind == rhs.columns[index].kind,
                lhs.storage[lhs.columns[index].range].elementsEqual(rhs.storage[rhs.columns[index].range])
            else { return false }
        }
        return true
    }
}
