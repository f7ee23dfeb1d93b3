/// Appending pieces of text to a byte array with one capacity check per piece.
///
/// `append(_:)` checks uniqueness and capacity for every byte, and `append(contentsOf:)` goes through
/// the generic `Sequence` path (about 100 instructions for a few bytes, measured with
/// Benchmarks/micro.sh); these reserve room once and write through a pointer.
extension Array where Element == UInt8 {
    /// Appends what `body` writes at the pointer it is given: at most `maxCount` bytes, and it
    /// returns how many it wrote.
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

extension UnsafeMutablePointer where Pointee == UInt8 {
    /// Writes `value` in decimal at `self` (at most 20 bytes); returns the number of bytes written.
    @inline(__always)
    func writeDecimal(_ value: UInt64) -> Int {
        var count = 1
        var limit: UInt64 = 10
        while count < 20 && value >= limit {
            count += 1
            limit = count == 20 ? .max : limit &* 10
        }
        var rest = value
        var index = count - 1
        while index >= 0 {
            self[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
            index -= 1
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
