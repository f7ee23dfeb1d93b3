import PGOutput

/// `numeric` (base-10000 digits) and `float4`/`float8` (shortest round-trip digits, as
/// PostgreSQL 12+ writes them with extra_float_digits > 0).
extension BinaryText {
    /// `numeric_send`: Int16 ndigits, Int16 weight, UInt16 sign, Int16 dscale, ndigits × Int16.
    /// The text is `get_str_from_var`'s.
    static func appendNumeric(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) -> Bool {
        guard bytes.count >= 8,
            let count = BigEndian.integer(Int16.self, bytes.prefix(2)), count >= 0,
            let weight = BigEndian.integer(Int16.self, bytes.dropFirst(2).prefix(2)),
            let sign = BigEndian.integer(UInt16.self, bytes.dropFirst(4).prefix(2)),
            let scale = BigEndian.integer(Int16.self, bytes.dropFirst(6).prefix(2)), scale >= 0,
            bytes.count == 8 + Int(count) * 2
        else { return false }
        switch sign {
        case 0xC000: out.append(contentsOf: "NaN".utf8); return true
        case 0xD000: out.append(contentsOf: "Infinity".utf8); return true
        case 0xF000: out.append(contentsOf: "-Infinity".utf8); return true
        case 0x0000, 0x4000: break
        default: return false
        }
        // Validate every digit first, so nothing is written for a malformed value.
        var index = bytes.startIndex + 8
        for _ in 0..<Int(count) {
            guard let digit = BigEndian.integer(Int16.self, bytes[index..<(index + 2)]), digit >= 0, digit < 10000 else { return false }
            index += 2
        }
        func digit(_ position: Int) -> Int {
            guard position >= 0 && position < Int(count) else { return 0 }
            let at = bytes.startIndex + 8 + position * 2
            return Int(BigEndian.load(UInt16.self, from: bytes, at: at))
        }
        if weight < 64 && scale < 256 {
            // The usual sizes: the text in one piece (at most 1 + 256 + 1 + 259 bytes).
            let bound = 2 + Swift.max(Int(weight) + 1, 1) * 4 + Int(scale) + 4
            out.write(reserving: bound) { text in
                var count = 0
                if sign == 0x4000 {
                    text[0] = UInt8(ascii: "-")
                    count = 1
                }
                var position: Int
                if weight < 0 {
                    position = Int(weight) + 1
                    text[count] = UInt8(ascii: "0")
                    count += 1
                } else {
                    count += (text + count).writeDecimal(UInt64(digit(0)))
                    position = 1
                    while position <= Int(weight) {
                        (text + count).writePadded(digit(position), width: 4)
                        count += 4
                        position += 1
                    }
                }
                if scale > 0 {
                    text[count] = UInt8(ascii: ".")
                    count += 1
                    var remaining = Int(scale)
                    while remaining > 0 {
                        let width = Swift.min(4, remaining)
                        // The first `width` of the group's four digits.
                        var value = digit(position)
                        for _ in width..<4 { value /= 10 }
                        (text + count).writePadded(value, width: width)
                        count += width
                        remaining -= 4
                        position += 1
                    }
                }
                return count
            }
            return true
        }
        if sign == 0x4000 { out.append(UInt8(ascii: "-")) }
        var position: Int
        if weight < 0 {
            position = Int(weight) + 1
            out.append(UInt8(ascii: "0"))
        } else {
            position = 0
            while position <= Int(weight) {
                appendPadded(digit(position), width: position == 0 ? 1 : 4, to: &out)
                position += 1
            }
        }
        if scale > 0 {
            out.append(UInt8(ascii: "."))
            var remaining = Int(scale)
            while remaining > 0 {
                var value = digit(position)
                var divisor = 1000
                for _ in 0..<min(4, remaining) {
                    out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value / divisor))
                    value %= divisor
                    divisor /= 10
                }
                remaining -= 4
                position += 1
            }
        }
        return true
    }

    static func appendShortest(_ value: Double, to out: inout [UInt8]) {
        if appendShortDecimal(value, to: &out) { return }
        appendShortest(
            description: value.description, isNaN: value.isNaN, isInfinite: value.isInfinite, negative: value.sign == .minus,
            fixedLimit: 15, to: &out
        )
    }

    static func appendShortest(_ value: Float, to out: inout [UInt8]) {
        appendShortest(
            description: value.description, isNaN: value.isNaN, isInfinite: value.isInfinite, negative: value.sign == .minus,
            fixedLimit: 6, to: &out
        )
    }

    /// A value whose shortest digits are a short decimal — at most 8 after the point, fewer than 2^50
    /// as an integer, in PostgreSQL's fixed-notation range (1e-4 up to 1e15) — written without the
    /// general digit search; `false`, nothing written, for every other value.
    ///
    /// Why these are the shortest digits: with `m` below 2^50, `|value|` is below `2^50 / 10^k`, so
    /// its ulp is below `10^-k / 4`. `m / 10^k` rounds to `value` (the division is exact-rounded), so
    /// it lies in `value`'s rounding interval, which is narrower than the `10^-k` between decimals of
    /// `k` places; any decimal with fewer places is `10^-k` or more away (`m` does not end in 0).
    /// Scaling by `10^k` errs by under 1/4, so the first `k` whose rounded product passes is found.
    @inline(__always)
    static func appendShortDecimal(_ value: Double, to out: inout [UInt8]) -> Bool {
        let magnitude = value.magnitude
        guard magnitude >= 1e-4, magnitude < 1e15 else { return false }
        var scale = 1.0
        for places in 0...8 {
            let scaled = (magnitude * scale).rounded()
            guard scaled < 1_125_899_906_842_624 else { return false }  // 2^50
            if scaled / scale == magnitude {
                let digits = UInt64(scaled)
                guard places == 0 || digits % 10 != 0 else { return false }
                let divisor = UInt64(scale)
                out.write(reserving: 28) { text in
                    var count = 0
                    if value.sign == .minus {
                        text[0] = UInt8(ascii: "-")
                        count = 1
                    }
                    count += (text + count).writeDecimal(digits / divisor)
                    if places > 0 {
                        text[count] = UInt8(ascii: ".")
                        (text + count + 1).writePadded(Int(digits % divisor), width: places)
                        count += 1 + places
                    }
                    return count
                }
                return true
            }
            scale *= 10
        }
        return false
    }

    /// Swift's `description` has the shortest round-trip digits; PostgreSQL's Ryu output lays them
    /// out like `%g`: fixed notation for decimal exponents from -4 up to `fixedLimit - 1`, else
    /// `d.ddde+XX` (at least two exponent digits); no trailing `.0`.
    private static func appendShortest(
        description: String, isNaN: Bool, isInfinite: Bool, negative: Bool, fixedLimit: Int, to out: inout [UInt8]
    ) {
        if isNaN { return out.append(contentsOf: "NaN".utf8) }
        if isInfinite { return out.append(contentsOf: (negative ? "-Infinity" : "Infinity").utf8) }
        var text = description
        text.withUTF8 { utf8 in
            // Most values: Swift's fixed notation is PostgreSQL's too, but for a trailing ".0".
            if let length = fixedLength(utf8, fixedLimit: fixedLimit) {
                return out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[..<length]))
            }
            appendGeneral(utf8, negative: negative, fixedLimit: fixedLimit, to: &out)
        }
    }

    /// When `utf8` is Swift's fixed notation (`-?D+.D+`, no exponent) of a value PostgreSQL also
    /// writes in fixed notation (decimal exponent from -4 to `fixedLimit - 1`): how many of its bytes
    /// PostgreSQL's text is (all, or all but a trailing `.0`); `nil` otherwise.
    @inline(__always)
    static func fixedLength(_ utf8: UnsafeBufferPointer<UInt8>, fixedLimit: Int) -> Int? {
        var index = 0
        if index < utf8.count && utf8[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        while index < utf8.count && utf8[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        let integerDigits = index - integerStart
        guard integerDigits > 0, index < utf8.count, utf8[index] == UInt8(ascii: "."), index + 1 < utf8.count else { return nil }
        let point = index
        index += 1
        while index < utf8.count && utf8[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        guard index == utf8.count else { return nil }
        let fractionIsZero = index == point + 2 && utf8[point + 1] == UInt8(ascii: "0")
        if integerDigits == 1 && utf8[integerStart] == UInt8(ascii: "0") {
            // 0.xyz: the exponent is minus one more than the zeros after the point.
            if fractionIsZero { return point }
            var zeros = 0
            while point + 1 + zeros < utf8.count && utf8[point + 1 + zeros] == UInt8(ascii: "0") { zeros += 1 }
            return zeros <= 3 ? utf8.count : nil
        }
        guard utf8[integerStart] != UInt8(ascii: "0"), integerDigits <= fixedLimit else { return nil }
        return fractionIsZero ? point : utf8.count
    }

    /// Any description: its digits laid out as PostgreSQL lays them out.
    static func appendGeneral(_ utf8: UnsafeBufferPointer<UInt8>, negative: Bool, fixedLimit: Int, to out: inout [UInt8]) {
        do {
            // Digits without the point or sign (at most 17 for a Double), where the point was, the exponent.
            var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
            withUnsafeMutableBytes(of: &scratch) { digits in
                var count = 0
                var pointPosition = -1
                var exponent = 0
                var index = 0
                if index < utf8.count && utf8[index] == UInt8(ascii: "-") { index += 1 }
                while index < utf8.count {
                    let byte = utf8[index]
                    if byte == UInt8(ascii: ".") {
                        pointPosition = count
                    } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                        var sign = 1
                        index += 1
                        if index < utf8.count && (utf8[index] == UInt8(ascii: "-") || utf8[index] == UInt8(ascii: "+")) {
                            if utf8[index] == UInt8(ascii: "-") { sign = -1 }
                            index += 1
                        }
                        while index < utf8.count {
                            exponent = exponent * 10 + Int(utf8[index] &- UInt8(ascii: "0"))
                            index += 1
                        }
                        exponent *= sign
                        break
                    } else if count < digits.count {
                        digits[count] = byte
                        count += 1
                    }
                    index += 1
                }
                if pointPosition < 0 { pointPosition = count }
                var leading = 0
                while leading < count - 1 && digits[leading] == UInt8(ascii: "0") { leading += 1 }
                var end = count
                while end - leading > 1 && digits[end - 1] == UInt8(ascii: "0") { end -= 1 }
                let significant = UnsafeRawBufferPointer(rebasing: digits[leading..<end])
                var decimalExponent = pointPosition - 1 - leading + exponent
                if negative { out.append(UInt8(ascii: "-")) }
                if significant.count == 1 && significant[0] == UInt8(ascii: "0") {
                    out.append(UInt8(ascii: "0"))
                    return
                }
                if decimalExponent >= -4 && decimalExponent < fixedLimit {
                    if decimalExponent < 0 {
                        out.append(contentsOf: "0.".utf8)
                        for _ in 0..<(-decimalExponent - 1) { out.append(UInt8(ascii: "0")) }
                        out.appendBytes(significant)
                    } else if significant.count <= decimalExponent + 1 {
                        out.appendBytes(significant)
                        for _ in 0..<(decimalExponent + 1 - significant.count) { out.append(UInt8(ascii: "0")) }
                    } else {
                        out.appendBytes(UnsafeRawBufferPointer(rebasing: significant[..<(decimalExponent + 1)]))
                        out.append(UInt8(ascii: "."))
                        out.appendBytes(UnsafeRawBufferPointer(rebasing: significant[(decimalExponent + 1)...]))
                    }
                    return
                }
                out.append(significant[0])
                if significant.count > 1 {
                    out.append(UInt8(ascii: "."))
                    out.appendBytes(UnsafeRawBufferPointer(rebasing: significant[1...]))
                }
                out.append(UInt8(ascii: "e"))
                out.append(decimalExponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
                decimalExponent = abs(decimalExponent)
                appendPadded(decimalExponent, width: 2, to: &out)
            }
        }
    }
}
