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
