/// An error decoding the replication stream: what was wrong, in which message, at which byte offset.
public enum PGOutputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The message ended before a field could be read.
    case truncated(message: String, offset: Int, needed: Int, available: Int)
    /// A tag byte that this layer of the protocol does not define.
    case unknownMessageType(layer: String, tag: UInt8, offset: Int)
    /// A field holds a value the protocol does not allow (a negative count, trailing bytes, ...).
    case malformed(message: String, offset: Int, reason: String)
    /// A string field is not valid UTF-8.
    case invalidUTF8(message: String, offset: Int)
    /// Text that is not an LSN of the form `X/Y`.
    case invalidLSN(String)

    public var description: String {
        switch self {
        case let .truncated(message, offset, needed, available):
            return "truncated \(message) message at byte offset \(offset): needed \(needed) more bytes, \(available) left"
        case let .unknownMessageType(layer, tag, offset):
            return "unknown \(layer) message type \(PGOutputError.describeTag(tag)) at byte offset \(offset)"
        case let .malformed(message, offset, reason):
            return "malformed \(message) message at byte offset \(offset): \(reason)"
        case let .invalidUTF8(message, offset):
            return "invalid UTF-8 in \(message) message at byte offset \(offset)"
        case let .invalidLSN(text):
            return "invalid LSN \"\(text)\": expected the form X/Y with hexadecimal halves, e.g. 16/B374D848"
        }
    }

    /// `'I' (0x49)` for printable tags, `0x01` otherwise.
    static func describeTag(_ tag: UInt8) -> String {
        let hex = "0x" + (tag < 16 ? "0" : "") + String(tag, radix: 16, uppercase: true)
        if tag >= 0x20 && tag < 0x7F {
            return "'\(Character(Unicode.Scalar(tag)))' (\(hex))"
        }
        return hex
    }
}
