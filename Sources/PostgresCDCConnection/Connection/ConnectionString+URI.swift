extension ConnectionString.Reader {
    /// `postgresql://[user[:password]@][host][:port][,…][/dbname][?keyword=value&…]`, any piece
    /// percent-encoded, an IPv6 address in brackets (libpq's `conninfo_uri_parse_options`).
    mutating func readURI(prefixLength: Int, text: String) {
        index = prefixLength
        // User and password: only when an `@` comes before the first `/`.
        var at = index
        while at < bytes.count, bytes[at] != UInt8(ascii: "@"), bytes[at] != UInt8(ascii: "/") { at += 1 }
        if at < bytes.count, bytes[at] == UInt8(ascii: "@") {
            var colon = index
            while colon < at, bytes[colon] != UInt8(ascii: ":") { colon += 1 }
            storeDecoded("user", index..<colon)
            if colon < at { storeDecoded("password", (colon + 1)..<at) }
            index = at + 1
        }
        var hosts: [UInt8] = []
        var ports: [UInt8] = []
        var terminator: UInt8? = nil
        while true {
            var host: Range<Int>
            if index < bytes.count, bytes[index] == UInt8(ascii: "[") {
                let start = index + 1
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "]") { end += 1 }
                guard end < bytes.count else {
                    return fail("end of string reached when looking for matching \"]\" in IPv6 host address in URI: \"\(text)\"")
                }
                guard end > start else { return fail("IPv6 host address may not be empty in URI: \"\(text)\"") }
                host = start..<end
                index = end + 1
                if index < bytes.count, !Self.endsHost(bytes[index]) {
                    return fail(
                        "unexpected character \"\(Character(Unicode.Scalar(bytes[index])))\" at position \(index + 1) in URI "
                            + "(expected \":\" or \"/\"): \"\(text)\"")
                }
            } else {
                let start = index
                while index < bytes.count, !Self.endsHost(bytes[index]) { index += 1 }
                host = start..<index
            }
            hosts += bytes[host]
            terminator = index < bytes.count ? bytes[index] : nil
            if terminator == UInt8(ascii: ":") {
                index += 1
                let start = index
                while index < bytes.count, !Self.endsHost(bytes[index]) || bytes[index] == UInt8(ascii: ":") { index += 1 }
                ports += bytes[start..<index]
                terminator = index < bytes.count ? bytes[index] : nil
            }
            guard terminator == UInt8(ascii: ",") else { break }
            index += 1
            hosts.append(UInt8(ascii: ","))
            ports.append(UInt8(ascii: ","))
        }
        if !hosts.isEmpty { storeDecoded("host", hosts) }
        if !ports.isEmpty { storeDecoded("port", ports) }
        if terminator == UInt8(ascii: "/") {
            index += 1
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "?") { index += 1 }
            storeDecoded("dbname", start..<index)
            terminator = index < bytes.count ? bytes[index] : nil
        }
        if terminator == UInt8(ascii: "?") {
            index += 1
            readParameters()
        }
    }

    /// What ends a host: a port's `:`, the path's `/`, the query's `?`, the next host's `,`.
    private static func endsHost(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ":") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: ",")
    }

    /// `keyword=value` pairs separated by `&`, both percent-decoded; `ssl=true` is `sslmode=require`.
    private mutating func readParameters() {
        while index < bytes.count {
            let start = index
            var separator: Int?
            while index < bytes.count, bytes[index] != UInt8(ascii: "&") {
                if bytes[index] == UInt8(ascii: "=") {
                    if let separator {
                        // libpq names the keyword, cut at the first `=`.
                        let parameter = String(decoding: bytes[start..<separator], as: UTF8.self)
                        return fail("extra key/value separator \"=\" in URI query parameter: \"\(parameter)\"")
                    }
                    separator = index
                }
                index += 1
            }
            let end = index
            if index < bytes.count { index += 1 }
            guard let separator else {
                let parameter = String(decoding: bytes[start..<end], as: UTF8.self)
                return fail("missing key/value separator \"=\" in URI query parameter: \"\(parameter)\"")
            }
            guard let keyword = decode(bytes[start..<separator]), let value = decode(bytes[(separator + 1)..<end]) else { return }
            let spelling = String(decoding: bytes[(separator + 1)..<end], as: UTF8.self)
            if keyword == "ssl" && value == "true" {
                store("sslmode", "require", spelled: spelling)
            } else {
                store(keyword, value, spelled: spelling)
            }
        }
    }

    /// Stores the piece at `range` percent-decoded, unless it is empty (libpq leaves the option unset).
    private mutating func storeDecoded(_ keyword: String, _ range: Range<Int>) {
        storeDecoded(keyword, bytes[range])
    }

    private mutating func storeDecoded(_ keyword: String, _ piece: some Collection<UInt8>) {
        guard !piece.isEmpty, let value = decode(piece) else { return }
        store(keyword, value, spelled: String(decoding: piece, as: UTF8.self))
    }

    /// `piece` with its `%xx` escapes decoded; `nil`, the error recorded, for a bad or a `%00` escape.
    private mutating func decode(_ piece: some Collection<UInt8>) -> String? {
        var decoded: [UInt8] = []
        var iterator = piece.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                decoded.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else {
                fail("invalid percent-encoded token: \"\(String(decoding: piece, as: UTF8.self))\"")
                return nil
            }
            guard high | low != 0 else {
                fail("forbidden value %00 in percent-encoded value: \"\(String(decoding: piece, as: UTF8.self))\"")
                return nil
            }
            decoded.append(high << 4 | low)
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
