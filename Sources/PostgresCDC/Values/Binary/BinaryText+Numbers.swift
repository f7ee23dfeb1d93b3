/// `numeric` (base-10000 digits) and `float4`/`float8` (shortest round-trip digits, as
/// PostgreSQL 12+ writes them with extra_float_digits > 0).
extension BinaryText {
    /// `numeric_send`: Int16 ndigits, Int16 weight, UInt16 sign, Int16 dscale, ndigits × Int16.
    /// The text is `get_str_from_var`'s.
    static func appendNumeric(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) -> Bool {
        guard bytes.count >= 8,
              let count = integer(Int16.self, bytes.prefix(2)), count >= 0,
              let weight = integer(Int16.self, bytes.dropFirst(2).prefix(2)),
              let sign = integer(UInt16.self, bytes.dropFirst(4).prefix(2)),
              let scale = integer(Int16.self, bytes.dropFirst(6).prefix(2)), scale >= 0,
              bytes.count == 8 + Int(count) * 2
        else { return false }
        switch sign {
        case 0xC000: out.append(contentsOf: "NaN".utf8); return true
        case 0xD000: out.append(contentsOf: "Infinity".utf8); return true
        case 0xF000: out.append(contentsOf: "-Infinity".utf8); return true
        case 0x0000, 0x4000: break
        default: return false
        }
        var digits: [Int] = []
        digits.reserveCapacity(Int(count))
        var index = bytes.startIndex + 8
        for _ in 0..<Int(count) {
            guard let digit = integer(Int16.self, bytes[index..<(index + 2)]), digit >= 0, digit < 10000 else { return false }
            digits.append(Int(digit))
            index += 2
        }
        if sign == 0x4000 { out.append(UInt8(ascii: "-")) }
        var position: Int
        if weight < 0 {
            position = Int(weight) + 1
            out.append(UInt8(ascii: "0"))
        } else {
            position = 0
            while position <= Int(weight) {
                let digit = position < digits.count ? digits[position] : 0
                if position == 0 {
                    out.append(contentsOf: String(digit).utf8)
                } else {
                    appendPadded(digit, width: 4, to: &out)
                }
                position += 1
            }
        }
        if scale > 0 {
            out.append(UInt8(ascii: "."))
            var written = 0
            while written < Int(scale) {
                let digit = position >= 0 && position < digits.count ? digits[position] : 0
                var group: [UInt8] = []
                appendPadded(digit, width: 4, to: &group)
                out.append(contentsOf: group.prefix(Int(scale) - written))
                written += 4
                position += 1
            }
        }
        return true
    }

    static func appendShortest(_ value: Double, to out: inout [UInt8]) {
        appendShortest(description: value.description, isNaN: value.isNaN, isInfinite: value.isInfinite, negative: value.sign == .minus, fixedLimit: 15, to: &out)
    }

    static func appendShortest(_ value: Float, to out: inout [UInt8]) {
        appendShortest(description: value.description, isNaN: value.isNaN, isInfinite: value.isInfinite, negative: value.sign == .minus, fixedLimit: 6, to: &out)
    }

    /// Swift's `description` has the shortest round-trip digits; PostgreSQL's Ryu output lays them
    /// out like `%g`: fixed notation for decimal exponents from -4 up to `fixedLimit - 1`, else
    /// `d.ddde+XX` (at least two exponent digits); no trailing `.0`.
    private static func appendShortest(description: String, isNaN: Bool, isInfinite: Bool, negative: Bool, fixedLimit: Int, to out: inout [UInt8]) {
        if isNaN { return out.append(contentsOf: "NaN".utf8) }
        if isInfinite { return out.append(contentsOf: (negative ? "-Infinity" : "Infinity").utf8) }
        var text = Substring(description)
        if text.first == "-" { text = text.dropFirst() }
        var mantissa = text
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        // Digits without the point; the decimal exponent of the first digit.
        var digits: [UInt8] = []
        var pointPosition = mantissa.utf8.count
        for (offset, byte) in mantissa.utf8.enumerated() {
            if byte == UInt8(ascii: ".") { pointPosition = offset } else { digits.append(byte) }
        }
        var leading = 0
        while leading < digits.count - 1 && digits[leading] == UInt8(ascii: "0") { leading += 1 }
        digits.removeFirst(leading)
        var decimalExponent = pointPosition - 1 - leading + exponent
        while digits.count > 1 && digits.last == UInt8(ascii: "0") { digits.removeLast() }
        if negative { out.append(UInt8(ascii: "-")) }
        if digits == [UInt8(ascii: "0")] {
            out.append(UInt8(ascii: "0"))
            return
        }
        if decimalExponent >= -4 && decimalExponent < fixedLimit {
            if decimalExponent < 0 {
                out.append(contentsOf: "0.".utf8)
                for _ in 0..<(-decimalExponent - 1) { out.append(UInt8(ascii: "0")) }
                out.append(contentsOf: digits)
            } else if digits.count <= decimalExponent + 1 {
                out.append(contentsOf: digits)
                for _ in 0..<(decimalExponent + 1 - digits.count) { out.append(UInt8(ascii: "0")) }
            } else {
                out.append(contentsOf: digits[..<(decimalExponent + 1)])
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[(decimalExponent + 1)...])
            }
            return
        }
        out.append(digits[0])
        if digits.count > 1 {
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits[1...])
        }
        out.append(UInt8(ascii: "e"))
        out.append(decimalExponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        decimalExponent = abs(decimalExponent)
        appendPadded(decimalExponent, width: 2, to: &out)
    }
}
