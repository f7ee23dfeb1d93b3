import PGOutput
import PostgresCDC

/// A `Nats-Msg-Id`, built into one reused C string (no `String` per message): `{commit_lsn}:{seq}`
/// for an event, `{commit_lsn}:begin`, `:commit` or `:snapshot` for the lines around
/// transactions, followed by `:1`, `:2`, … for the later subjects of a truncate of several
/// tables; `backfill:{id}:{key}` for a backfilled row. JetStream drops a message whose id it already holds, which is what makes a replay
/// after a crash or a republished batch harmless.
struct MessageID {
    private var bytes: [CChar] = []

    init() {
        bytes.reserveCapacity(48)
    }

    /// Sets the id of `line`'s message number `part` (0 for the first subject).
    mutating func set(_ line: LineDescriptor, part: Int) {
        bytes.removeAll(keepingCapacity: true)
        if let row = line.backfillRow {
            // A backfilled row's read keeps its id across restarts (its chunk's watermark does not).
            append("backfill:")
            // A header value is printable ASCII: other bytes (and the escape itself) as %XX.
            let digits = Array("0123456789ABCDEF".utf8)
            for byte in row.utf8 {
                if byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "%") {
                    bytes.append(CChar(bitPattern: byte))
                } else {
                    bytes.append(CChar(bitPattern: UInt8(ascii: "%")))
                    bytes.append(CChar(bitPattern: digits[Int(byte >> 4)]))
                    bytes.append(CChar(bitPattern: digits[Int(byte & 0xF)]))
                }
            }
            bytes.append(0)
            return
        }
        // The text form of an LSN, as in the JSON: `X/Y` in upper-case hex without leading zeros.
        appendHex(line.commitLSN.value >> 32)
        append("/")
        appendHex(line.commitLSN.value & 0xFFFF_FFFF)
        append(":")
        switch line.kind {
        case .begin: append("begin")
        case .commit: append("commit")
        case .snapshot: append("snapshot")
        case .gap: append("gap")
        default: appendDecimal(UInt64(max(0, line.seq)))
        }
        if part > 0 {
            append(":")
            appendDecimal(UInt64(part))
        }
        bytes.append(0)
    }

    /// Calls `body` with the id as a NUL-terminated C string.
    func withCString<Result>(_ body: (UnsafePointer<CChar>) -> Result) -> Result {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.last == 0 else { return "".withCString(body) }
            return body(base)
        }
    }

    /// The id as text (tests, logs).
    var text: String { withCString { String(cString: $0) } }

    private mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { utf8 in
            for byte in utf8 { bytes.append(CChar(bitPattern: byte)) }
        }
    }

    private mutating func appendHex(_ value: UInt64) {
        let digits: StaticString = "0123456789ABCDEF"
        var shift = 60
        while shift > 0 && (value >> UInt64(shift)) & 0xF == 0 { shift -= 4 }
        digits.withUTF8Buffer { table in
            while shift >= 0 {
                bytes.append(CChar(bitPattern: table[Int((value >> UInt64(shift)) & 0xF)]))
                shift -= 4
            }
        }
    }

    private mutating func appendDecimal(_ value: UInt64) {
        var divisor: UInt64 = 1
        while value / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            bytes.append(CChar(bitPattern: UInt8(ascii: "0") &+ UInt8((value / divisor) % 10)))
            divisor /= 10
        }
    }
}
