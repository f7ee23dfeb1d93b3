/// A COPY row that does not parse (``CopyTextRow``, ``CopyBinaryParser``); offsets count bytes
/// from the start of the row (text) or of the copy (binary).
package enum CopyRowError: Error, Equatable, CustomStringConvertible {
    case danglingBackslash(offset: Int)
    case columnCount(expected: Int, found: Int)
    /// Binary: the copy does not start with COPY's binary signature.
    case badSignature
    /// Binary: the header's flags ask for something unknown (bit 16: rows with OIDs).
    case unsupportedFlags(UInt32)
    /// Binary: a length below -1.
    case negativeLength(offset: Int)
    /// Binary: the copy ended without its end marker, `bytes` bytes of a row read.
    case truncated(offset: Int, bytes: Int)
    /// Binary: bytes follow the end marker.
    case dataAfterEnd(offset: Int)

    package var description: String {
        switch self {
        case let .danglingBackslash(offset): return "a backslash ends the row at byte \(offset)"
        case let .columnCount(expected, found): return "\(found) columns where the table has \(expected)"
        case .badSignature: return "the binary copy does not start with COPY's signature"
        case let .unsupportedFlags(flags): return "the binary copy's header has unknown critical flags 0x\(String(flags, radix: 16))"
        case let .negativeLength(offset): return "a negative length at byte \(offset) of the binary copy"
        case let .truncated(offset, bytes):
            return "the binary copy ended at byte \(offset) without its end marker (\(bytes) bytes of a row read)"
        case let .dataAfterEnd(offset): return "data after the end marker at byte \(offset) of the binary copy"
        }
    }
}
