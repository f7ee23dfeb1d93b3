import PGOutput

/// pgoutput payloads as the server sends them, for feeding ``ChangeAssembler/decode(_:at:)``:
/// written from the protocol documentation, independently of the decoder (PostgreSQL docs,
/// "Logical Replication Message Formats").
enum Payload {
    /// Relation 42, `public.t (id int4 key, v text)`; `xid` inside a streamed block.
    static func relation(xid: UInt32? = nil) -> [UInt8] {
        var bytes = tag("R")
        if let xid { append(xid, to: &bytes) }
        append(UInt32(42), to: &bytes)
        bytes += cString("public") + cString("t") + tag("d")
        append(UInt16(2), to: &bytes)
        bytes.append(1)
        bytes += cString("id")
        append(UInt32(23), to: &bytes)
        append(UInt32(bitPattern: -1), to: &bytes)
        bytes.append(0)
        bytes += cString("v")
        append(UInt32(25), to: &bytes)
        append(UInt32(bitPattern: -1), to: &bytes)
        return bytes
    }

    /// An insert into relation 42 of `(id, v)`; `xid` inside a streamed block (the subtransaction's).
    static func insert(_ id: Int, value: String = "x", xid: UInt32? = nil) -> [UInt8] {
        var bytes = tag("I")
        if let xid { append(xid, to: &bytes) }
        append(UInt32(42), to: &bytes)
        bytes += tag("N")
        append(UInt16(2), to: &bytes)
        for text in ["\(id)", value] {
            bytes += tag("t")
            append(UInt32(text.utf8.count), to: &bytes)
            bytes += Array(text.utf8)
        }
        return bytes
    }

    static func begin(xid: UInt32, final: UInt64) -> [UInt8] {
        var bytes = tag("B")
        append(final, to: &bytes)
        append(UInt64(0), to: &bytes)
        append(xid, to: &bytes)
        return bytes
    }

    static func commit(_ lsn: UInt64, end: UInt64) -> [UInt8] {
        var bytes = tag("C") + [0]
        append(lsn, to: &bytes)
        append(end, to: &bytes)
        append(UInt64(0), to: &bytes)
        return bytes
    }

    static func streamStart(xid: UInt32, first: Bool) -> [UInt8] {
        var bytes = tag("S")
        append(xid, to: &bytes)
        bytes.append(first ? 1 : 0)
        return bytes
    }

    static let streamStop = tag("E")

    static func streamCommit(xid: UInt32, lsn: UInt64, end: UInt64) -> [UInt8] {
        var bytes = tag("c")
        append(xid, to: &bytes)
        bytes.append(0)
        append(lsn, to: &bytes)
        append(end, to: &bytes)
        append(UInt64(0), to: &bytes)
        return bytes
    }

    /// Stream Abort; `at` adds the abort LSN and time (`streaming = parallel`).
    static func streamAbort(xid: UInt32, subtransaction: UInt32, at lsn: UInt64? = nil) -> [UInt8] {
        var bytes = tag("A")
        append(xid, to: &bytes)
        append(subtransaction, to: &bytes)
        if let lsn {
            append(lsn, to: &bytes)
            append(UInt64(0), to: &bytes)
        }
        return bytes
    }

    static func beginPrepare(xid: UInt32, gid: String, lsn: UInt64, end: UInt64) -> [UInt8] {
        var bytes = tag("b")
        append(lsn, to: &bytes)
        append(end, to: &bytes)
        append(UInt64(0), to: &bytes)
        append(xid, to: &bytes)
        return bytes + cString(gid)
    }

    static func prepare(xid: UInt32, gid: String, lsn: UInt64, end: UInt64) -> [UInt8] {
        var bytes = tag("P") + [0]
        append(lsn, to: &bytes)
        append(end, to: &bytes)
        append(UInt64(0), to: &bytes)
        append(xid, to: &bytes)
        return bytes + cString(gid)
    }

    static func commitPrepared(xid: UInt32, gid: String, lsn: UInt64, end: UInt64) -> [UInt8] {
        var bytes = tag("K") + [0]
        append(lsn, to: &bytes)
        append(end, to: &bytes)
        append(UInt64(0), to: &bytes)
        append(xid, to: &bytes)
        return bytes + cString(gid)
    }

    static func rollbackPrepared(xid: UInt32, gid: String, prepareEnd: UInt64, end: UInt64) -> [UInt8] {
        var bytes = tag("r") + [0]
        append(prepareEnd, to: &bytes)
        append(end, to: &bytes)
        append(UInt64(0), to: &bytes)
        append(UInt64(0), to: &bytes)
        append(xid, to: &bytes)
        return bytes + cString(gid)
    }

    private static func tag(_ character: Character) -> [UInt8] { [character.asciiValue ?? 0] }

    private static func cString(_ text: String) -> [UInt8] { Array(text.utf8) + [0] }

    private static func append<Value: FixedWidthInteger>(_ value: Value, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}
