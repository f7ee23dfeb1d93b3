import PGOutput

/// A reused byte buffer that JSON is written into directly: no `String` building, no Foundation.
package struct JSONBuffer: Sendable {
    /// The bytes written so far.
    package var bytes: [UInt8]
    /// The last LSN and timestamp written and their text: the events of a transaction share its
    /// commit LSN and time, so most are written from here, not formatted again.
    /// Two LSNs: an event's commit LSN, and its own (which changes from event to event).
    private var lsnMemo = Memo(key: 0)
    private var lsnMemo2 = Memo(key: 0)
    private var timestampMemo = Memo(key: 0)
    /// Column values' timestamps have their own, so that they do not push the commit time out.
    private var valueTimestampMemo = Memo(key: 0)
    /// The position's text around `seq` and `lsn` for the last transaction written, made once per
    /// transaction: `"commit_lsn":"…","seq":` and `,"xid":…,"commit_time":"…"`.
    private var positionKey: (commitLSN: UInt64, xid: UInt32, commitTime: Int64) = (0, 0, 0)
    private var positionHead: [UInt8] = []
    private var positionTail: [UInt8] = []

    package init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends ASCII or UTF-8 text as it is (no quoting or escaping).
    @inline(__always)
    package mutating func appendRaw(_ text: StaticString) {
        bytes.appendText(text)
    }

    /// Appends bytes as they are.
    @inline(__always)
    package mutating func appendRaw(_ raw: [UInt8]) {
        bytes.appendBytes(raw)
    }

    /// Appends bytes as they are.
    @inline(__always)
    package mutating func appendRaw(_ raw: ArraySlice<UInt8>) {
        bytes.appendBytes(raw)
    }

    /// Appends `text` as a quoted, escaped JSON string.
    package mutating func appendString(_ text: String) {
        var text = text
        text.withUTF8 { appendQuoted($0) }
    }

    /// Appends UTF-8 bytes as a quoted, escaped JSON string; invalid UTF-8 becomes U+FFFD.
    package mutating func appendString(utf8: ArraySlice<UInt8>) {
        utf8.withUnsafeBufferPointer { appendQuoted($0) }
    }

    /// Appends a signed integer.
    package mutating func appendInt(_ value: Int64) {
        BinaryText.appendDecimal(value, to: &bytes)
    }

    /// Appends `key`, then an integer, in one piece.
    @inline(__always)
    mutating func appendInt(_ value: Int64, after key: UnsafeRawBufferPointer) {
        bytes.write(reserving: key.count + 21) { text in
            var written = text.copy(key)
            if value < 0 {
                text[written] = UInt8(ascii: "-")
                written += 1
            }
            return written + (text + written).writeDecimal(value.magnitude)
        }
    }

    /// Appends an unsigned integer.
    package mutating func appendUInt(_ value: UInt64) {
        BinaryText.appendDecimal(value, to: &bytes)
    }

    /// Appends an LSN as a quoted `"X/Y"` (uppercase hexadecimal, as PostgreSQL prints it).
    package mutating func appendLSN(_ lsn: LSN) {
        lsnText(lsn).append(to: &bytes)
    }

    /// The memo holding the text of `lsn`, formatted into one if neither holds it.
    private mutating func lsnText(_ lsn: LSN) -> Memo {
        if lsnMemo.count > 0 && lsnMemo.key == lsn.value { return lsnMemo }
        if lsnMemo2.count > 0 && lsnMemo2.key == lsn.value { return lsnMemo2 }
        // The older one makes room (the commit LSN, asked for first, stays while the events' change).
        swap(&lsnMemo, &lsnMemo2)
        lsnMemo.key = lsn.value
        lsnMemo.write { out in
            out[0] = UInt8(ascii: "\"")
            var end = Self.writeHex(UInt32(truncatingIfNeeded: lsn.value >> 32), into: out, at: 1)
            out[end] = UInt8(ascii: "/")
            end = Self.writeHex(UInt32(truncatingIfNeeded: lsn.value), into: out, at: end + 1)
            out[end] = UInt8(ascii: "\"")
            return end + 1
        }
        return lsnMemo
    }

    /// Appends `"commit_lsn":..,"seq":..,"lsn":..,"xid":..,"commit_time":..` — where an event stands —
    /// in one piece (the LSNs and the time from their memos).
    package mutating func appendPosition(commitLSN: LSN, seq: Int, lsn: LSN, xid: UInt32, commitTime: PostgresTimestamp) {
        let key = (commitLSN.value, xid, commitTime.microsecondsSince2000)
        if positionHead.isEmpty || positionKey != key {
            guard Self.formatTimestamp(commitTime, zone: true, memo: &timestampMemo) else {
                appendRaw("\"commit_lsn\":")
                appendLSN(commitLSN)
                appendRaw(",\"seq\":")
                appendInt(Int64(seq))
                appendRaw(",\"lsn\":")
                appendLSN(lsn)
                appendRaw(",\"xid\":")
                appendUInt(UInt64(xid))
                appendRaw(",\"commit_time\":")
                appendTimestamp(commitTime)
                return
            }
            positionKey = key
            positionHead.removeAll(keepingCapacity: true)
            positionHead.appendText("\"commit_lsn\":")
            lsnText(commitLSN).append(to: &positionHead)
            positionHead.appendText(",\"seq\":")
            positionTail.removeAll(keepingCapacity: true)
            positionTail.appendText(",\"xid\":")
            BinaryText.appendDecimal(UInt64(xid), to: &positionTail)
            positionTail.appendText(",\"commit_time\":")
            timestampMemo.append(to: &positionTail)
        }
        let own = lsnText(lsn)
        positionHead.withUnsafeBufferPointer { head in
            positionTail.withUnsafeBufferPointer { tail in
                bytes.write(reserving: head.count + tail.count + 64) { out in
                    var count = head.count
                    (out).update(from: head.baseAddress.unsafelyUnwrapped, count: count)
                    if seq < 0 {
                        out[count] = UInt8(ascii: "-")
                        count += 1
                    }
                    count += (out + count).writeDecimal(UInt64(seq.magnitude))
                    let lsnKey: StaticString = ",\"lsn\":"
                    (out + count).update(from: lsnKey.utf8Start, count: lsnKey.utf8CodeUnitCount)
                    count += lsnKey.utf8CodeUnitCount
                    count += own.copy(to: out + count)
                    (out + count).update(from: tail.baseAddress.unsafelyUnwrapped, count: tail.count)
                    return count + tail.count
                }
            }
        }
    }

    /// Writes `value` in uppercase hexadecimal without leading zeros at `start`; returns the end.
    @inline(__always)
    static func writeHex(_ value: UInt32, into out: UnsafeMutableRawBufferPointer, at start: Int) -> Int {
        let count = value == 0 ? 1 : (32 - value.leadingZeroBitCount + 3) / 4
        var rest = value
        var index = start + count - 1
        while index >= start {
            let nibble = UInt8(truncatingIfNeeded: rest & 0xF)
            out[index] = nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "A") &+ nibble &- 10
            rest >>= 4
            index -= 1
        }
        return start + count
    }

    /// Appends a timestamp as a quoted ISO 8601 UTC string with microseconds: `"2026-11-25T01:02:03.456789Z"`
    /// (without the `Z` when `zone` is false: a timestamp without time zone).
    package mutating func appendTimestamp(_ timestamp: PostgresTimestamp, zone: Bool = true) {
        // A transaction's events share their commit time: written from the memo.
        Self.appendTimestamp(timestamp, zone: zone, memo: &timestampMemo, to: &bytes)
    }

    /// Appends a column value's timestamp as ``appendTimestamp(_:zone:)`` does.
    mutating func appendTimestampValue(
        _ timestamp: PostgresTimestamp, zone: Bool, after key: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
    ) {
        bytes.appendBytes(key)
        Self.appendTimestamp(timestamp, zone: zone, memo: &valueTimestampMemo, to: &bytes)
    }

    private static func appendTimestamp(_ timestamp: PostgresTimestamp, zone: Bool, memo: inout Memo, to bytes: inout [UInt8]) {
        if formatTimestamp(timestamp, zone: zone, memo: &memo) {
            memo.append(to: &bytes)
            return
        }
        let (days, rest) = CivilDate.split(microsecondsSince2000: timestamp.microsecondsSince2000)
        let (year, month, day) = CivilDate.from(daysSince2000: days)
        // Outside four-digit years: the general, slower path.
        var buffer = JSONBuffer()
        swap(&buffer.bytes, &bytes)
        buffer.bytes.append(UInt8(ascii: "\""))
        buffer.appendDate(year: year, month: month, day: day)
        buffer.bytes.append(UInt8(ascii: "T"))
        buffer.appendClock(rest)
        if zone { buffer.bytes.append(UInt8(ascii: "Z")) }
        buffer.bytes.append(UInt8(ascii: "\""))
        swap(&buffer.bytes, &bytes)
    }

    /// Puts the quoted text of `timestamp` in `memo` (unless it holds it already); `false`, the memo
    /// untouched, for a year outside 0...9999.
    private static func formatTimestamp(_ timestamp: PostgresTimestamp, zone: Bool, memo: inout Memo) -> Bool {
        let key = UInt64(bitPattern: timestamp.microsecondsSince2000)
        if memo.count > 0 && memo.key == key && memo.variant == zone { return true }
        let (days, rest) = CivilDate.split(microsecondsSince2000: timestamp.microsecondsSince2000)
        // "YYYY-MM-DDTHH:MM:SS.ffffffZ" with quotes: 29 bytes, built in the memo; on the memo's day
        // (the rows of a transaction mostly share one) only the time of day is written again.
        let sameDay = memo.count > 0 && memo.day == days && memo.variant == zone
        if !sameDay {
            let (year, month, day) = CivilDate.from(daysSince2000: days)
            guard year >= 0 && year <= 9999 else { return false }
            memo.write { out in
                out[0] = UInt8(ascii: "\"")
                Self.putDigits(year, 4, at: 1, in: out)
                out[5] = UInt8(ascii: "-")
                Self.putDigits(month, 2, at: 6, in: out)
                out[8] = UInt8(ascii: "-")
                Self.putDigits(day, 2, at: 9, in: out)
                out[11] = UInt8(ascii: "T")
                out[14] = UInt8(ascii: ":")
                out[17] = UInt8(ascii: ":")
                out[20] = UInt8(ascii: ".")
                out[27] = zone ? UInt8(ascii: "Z") : UInt8(ascii: "\"")
                out[28] = UInt8(ascii: "\"")
                return zone ? 29 : 28
            }
            memo.day = days
            memo.variant = zone
        }
        memo.key = key
        memo.update { out in
            let seconds = Int(rest / 1_000_000)
            Self.putDigits(seconds / 3600, 2, at: 12, in: out)
            Self.putDigits(seconds / 60 % 60, 2, at: 15, in: out)
            Self.putDigits(seconds % 60, 2, at: 18, in: out)
            Self.putDigits(Int(rest % 1_000_000), 6, at: 21, in: out)
        }
        return true
    }

    /// Writes `value` as `width` (even, or odd with a leading digit) decimal digits at `start`,
    /// two digits at a time from a table of "00" ... "99".
    @inline(__always)
    private static func putDigits(_ value: Int, _ width: Int, at start: Int, in out: UnsafeMutableRawBufferPointer) {
        let pairs = decimalDigitPairs.utf8Start
        var value = value
        var index = start + width - 2
        while index >= start {
            let pair = 2 * (value % 100)
            out[index] = pairs[pair]
            out[index + 1] = pairs[pair + 1]
            value /= 100
            index -= 2
        }
        if index == start - 1 { out[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10) }
    }

    /// `HH:MM:SS.ffffff` of `micros` since midnight.
    private mutating func appendClock(_ micros: Int64) {
        let seconds = micros / 1_000_000
        appendTwoDigits(Int(seconds / 3600))
        bytes.append(UInt8(ascii: ":"))
        appendTwoDigits(Int(seconds / 60 % 60))
        bytes.append(UInt8(ascii: ":"))
        appendTwoDigits(Int(seconds % 60))
        bytes.append(UInt8(ascii: "."))
        BinaryText.appendPadded(Int(micros % 1_000_000), width: 6, to: &bytes)
    }

    // MARK: - Pieces

    mutating func appendDate(year: Int, month: Int, day: Int) {
        BinaryText.appendPadded(year, width: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendTwoDigits(month)
        bytes.append(UInt8(ascii: "-"))
        appendTwoDigits(day)
    }

    @inline(__always)
    mutating func appendTwoDigits(_ value: Int) {
        bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value / 10 % 10))
        bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10))
    }

    /// Up to 32 bytes of formatted text, and what they are the text of.
    private struct Memo: Sendable {
        var key: UInt64
        /// A timestamp's: with or without its zone.
        var variant = false
        /// A timestamp's: its day (days since 2000-01-01), which the text's date is.
        var day: Int64 = 0
        /// The text's length; 0 until it is written.
        var count = 0
        var text: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

        /// Sets the text: `body` writes it and returns its length (at most 32).
        mutating func write(_ body: (UnsafeMutableRawBufferPointer) -> Int) {
            count = withUnsafeMutableBytes(of: &text) { min(body($0), 32) }
        }

        /// Changes bytes of the text in place (its length stays).
        @inline(__always)
        mutating func update(_ body: (UnsafeMutableRawBufferPointer) -> Void) {
            withUnsafeMutableBytes(of: &text) { body($0) }
        }

        /// Copies the text to `out`; returns its length.
        @inline(__always)
        func copy(to out: UnsafeMutablePointer<UInt8>) -> Int {
            withUnsafeBytes(of: text) { UnsafeMutableRawPointer(out).copyMemory(from: $0.baseAddress.unsafelyUnwrapped, byteCount: count) }
            return count
        }

        @inline(__always)
        func append(to bytes: inout [UInt8]) {
            let count = count
            withUnsafeBytes(of: text) { text in
                bytes.write(reserving: 32) { out in
                    UnsafeMutableRawPointer(out).copyMemory(from: text.baseAddress.unsafelyUnwrapped, byteCount: count)
                    return count
                }
            }
        }
    }
}
