/// The old row sent with an Update or Delete: only the replica-identity key (`'K'`), or the whole
/// old row under REPLICA IDENTITY FULL (`'O'`).
///
/// These tags belong to Update/Delete alone; they are not the pgoutput message tags of the same letters.
public enum OldTuple: Sendable, Equatable {
    /// `'K'`: the key columns (others are sent as NULL).
    case key(TupleData)
    /// `'O'`: the whole old row.
    case full(TupleData)

    /// The tuple, whichever kind.
    public var tuple: TupleData {
        switch self {
        case let .key(tuple), let .full(tuple): return tuple
        }
    }

    /// The marker bytes inside Update and Delete.
    enum Marker: UInt8 {
        case key = 0x4B  // 'K'
        case old = 0x4F  // 'O'
        case new = 0x4E  // 'N'
    }

    /// Reads a marker byte of Update/Delete, naming the layer in the error when it is unknown.
    static func readMarker(from reader: inout ByteReader, layer: String) throws(PGOutputError) -> Marker {
        let offset = reader.offset
        let tag = try reader.readUInt8()
        guard let marker = Marker(rawValue: tag) else {
            throw PGOutputError.unknownMessageType(layer: layer, tag: tag, offset: offset)
        }
        return marker
    }
}
