import PGOutput

/// `inet` and `cidr`: family (2 = IPv4, 3 = IPv6), bits, is_cidr, address length, address.
/// The text is `inet_out`/`cidr_out`'s: `/bits` is left out only for an inet host address.
extension BinaryText {
    static func appendInet(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) -> Bool {
        guard bytes.count >= 4 else { return false }
        let start = bytes.startIndex
        let family = bytes[start], bits = Int(bytes[start + 1]), isCIDR = bytes[start + 2] != 0, length = Int(bytes[start + 3])
        let address = bytes.dropFirst(4)
        let maximumBits: Int
        switch (family, length) {
        case (2, 4): maximumBits = 32
        case (3, 16): maximumBits = 128
        default: return false
        }
        guard address.count == length, bits <= maximumBits else { return false }
        let suffix = isCIDR || bits != maximumBits
        if maximumBits == 32 {
            // a.b.c.d[/bits] in one piece.
            address.withUnsafeBufferPointer { address in
                out.write(reserving: 19) { text in
                    var count = 0
                    for index in 0..<4 {
                        if index > 0 {
                            text[count] = UInt8(ascii: ".")
                            count += 1
                        }
                        count += (text + count).writeDecimal(UInt64(address[index]))
                    }
                    if suffix {
                        text[count] = UInt8(ascii: "/")
                        count += 1 + (text + count + 1).writeDecimal(UInt64(bits))
                    }
                    return count
                }
            }
            return true
        }
        appendIPv6(Array(address), to: &out)
        if suffix {
            out.append(UInt8(ascii: "/"))
            appendDecimal(UInt64(bits), to: &out)
        }
        return true
    }

    /// RFC 5952 form, as `pg_inet_net_ntop` writes it: the longest run of two or more zero groups
    /// becomes `::`, hex in lower case; IPv4-mapped (`::ffff:a.b.c.d`) and IPv4-compatible
    /// addresses end in dotted decimal.
    private static func appendIPv6(_ address: [UInt8], to out: inout [UInt8]) {
        var groups: [Int] = []
        for index in stride(from: 0, to: 16, by: 2) { groups.append(Int(BigEndian.read(UInt16.self, address[...], at: index))) }
        var bestStart = -1, bestLength = 0, runStart = -1
        for index in 0...8 {
            if index < 8 && groups[index] == 0 {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                if index - runStart > bestLength { bestStart = runStart; bestLength = index - runStart }
                runStart = -1
            }
        }
        if bestLength < 2 { bestStart = -1 }
        var index = 0
        while index < 8 {
            if index == bestStart {
                out.append(contentsOf: "::".utf8)
                index += bestLength
                continue
            }
            // Dotted decimal for the last 32 bits of ::a.b.c.d and ::ffff:a.b.c.d.
            if index == 6 && bestStart == 0 && (bestLength == 6 || (bestLength == 5 && groups[5] == 0xFFFF)) {
                for (offset, byte) in address[12..<16].enumerated() {
                    if offset > 0 { out.append(UInt8(ascii: ".")) }
                    appendDecimal(UInt64(byte), to: &out)
                }
                break
            }
            out.append(contentsOf: String(groups[index], radix: 16).utf8)
            index += 1
            if index < 8 && index != bestStart { out.append(UInt8(ascii: ":")) }
        }
    }
}
