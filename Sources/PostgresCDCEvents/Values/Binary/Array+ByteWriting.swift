/// Appending pieces of text to a byte array with one capacity check per piece.
///
/// `append(_:)` checks uniqueness and capacity for every byte, and `append(contentsOf:)` goes through
/// the generic `Sequence` path (about 100 instructions for a few bytes, measured with
/// Benchmarks/micro.sh); these reserve room once and write through a pointer.
extension Array where Element == UInt8 {
    /// Appends what `body` writes at the pointer it is given: at most `maxCount` bytes, and it
    /// returns how many it wrote (0 to append nothing).
    @inline(__always)
    mutating func write(reserving maxCount: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        append(addingCapacity: maxCount) { span in
            span.withUnsafeMutableBufferPointer { buffer, count in
                guard let base = buffer.baseAddress else { return }
                count = body(base)
            }
        }
    }

    /// Appends `source`'s bytes.
    @inline(__always)
    mutating func appendBytes(_ source: UnsafeRawBufferPointer) {
        let count = source.count
        guard count > 0, let start = source.baseAddress else { return }
        write(reserving: count) { out in
            UnsafeMutableRawPointer(out).copyMemory(from: start, byteCount: count)
            return count
        }
    }

    /// Appends the bytes of `slice`.
    @inline(__always)
    mutating func appendBytes(_ slice: ArraySlice<UInt8>) {
        slice.withUnsafeBytes { appendBytes($0) }
    }

    /// Appends the bytes of `array`.
    @inline(__always)
    mutating func appendBytes(_ array: [UInt8]) {
        array.withUnsafeBytes { appendBytes($0) }
    }

    /// Appends ASCII or UTF-8 text as it is.
    @inline(__always)
    mutating func appendText(_ text: StaticString) {
        appendBytes(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}

/// "00" to "99", one after the other: decimal digits are written two at a time.
let decimalDigitPairs: StaticString = """
    00010203040506070809101112131415161718192021222324252627282930313233343536373839\
    40414243444546474849505152535455565758596061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899
    """

extension UnsafeMutablePointer where Pointee == UInt8 {
    /// Copies `source`'s bytes to `self`; returns how many.
    @inline(__always)
    func copy(_ source: UnsafeRawBufferPointer) -> Int {
        guard let start = source.baseAddress, source.count > 0 else { return 0 }
        UnsafeMutableRawPointer(self).copyMemory(from: start, byteCount: source.count)
        return source.count
    }

    /// Writes `value` in decimal at `self` (at most 20 bytes); returns the number of bytes written.
    @inline(__always)
    func writeDecimal(_ value: UInt64) -> Int {
        // The number of digits: compared directly below 100,000, counted above.
        var count: Int
        if value < 100_000 {
            count = value < 100 ? (value < 10 ? 1 : 2) : (value < 1_000 ? 3 : value < 10_000 ? 4 : 5)
        } else {
            count = 6
            var limit: UInt64 = 1_000_000
            while count < 20 && value >= limit {
                count += 1
                limit = count == 20 ? .max : limit &* 10
            }
        }
        // Two digits at a time from the end.
        let pairs = decimalDigitPairs.utf8Start
        var rest = value
        var index = count
        while rest >= 100 {
            let pair = Int(rest % 100) &* 2
            rest /= 100
            index -= 2
            self[index] = pairs[pair]
            self[index + 1] = pairs[pair + 1]
        }
        if rest >= 10 {
            let pair = Int(rest) &* 2
            self[index - 2] = pairs[pair]
            self[index - 1] = pairs[pair + 1]
        } else {
            self[index - 1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest)
        }
        return count
    }

    /// Writes `value` (0 ... 10^width - 1) in decimal with exactly `width` digits, zero-padded.
    @inline(__always)
    func writePadded(_ value: Int, width: Int) {
        var rest = value
        var index = width - 1
        while index >= 0 {
            self[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
            index -= 1
        }
    }
}
