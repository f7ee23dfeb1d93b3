/// A libpq connection string — `keyword=value …` or a `postgresql://` URI — read the way libpq reads
/// it (`conninfo_parse` and `conninfo_uri_parse` in libpq's fe-connect.c), in Swift: the one parser
/// of connection strings in pgcdc. The hosts of a DSN (``HostList``), its passwords
/// (``DSNSecrets``), whether a standby's `primary_conninfo` names a database, and what libpq would
/// accept (``ConninfoOptions``) are all read from it.
///
/// It checks the syntax, not the keywords: a string written for a newer libpq (`sslnegotiation=…`)
/// reads fine. Past a syntax error it reads on as well as it can, so that a password in a string
/// libpq rejects is still found and kept out of messages.
package struct ConnectionString: Sendable, Equatable {
    /// One option of the string.
    package struct Option: Sendable, Equatable {
        /// The keyword, as libpq stores it (`requiressl` and a URI's `ssl=true` become `sslmode`).
        package var keyword: String
        /// The value, unquoted, unescaped, percent-decoded.
        package var value: String
        /// The value as the string spells it where libpq's error messages may quote it: a URI's
        /// piece with its percent-escapes (libpq quotes a URI it cannot parse whole); in the
        /// keyword form the value itself (libpq quotes only keywords there).
        package var spelling: String
    }

    /// The options in the order written; a keyword may come more than once (the last one counts).
    package var options: [Option]
    /// Why libpq would reject the string's syntax (its words); `nil` when the syntax is right.
    package var syntaxError: String?

    /// Reads `text`.
    package init(parsing text: String) {
        var reader = Reader(bytes: Array(text.utf8))
        if text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") {
            reader.readURI(prefixLength: text.hasPrefix("postgresql://") ? 13 : 11, text: text)
        } else {
            reader.readKeywords()
        }
        options = reader.options
        syntaxError = reader.error
    }

    /// The value of `keyword` (the last one written); `nil` when the string does not set it.
    package func value(_ keyword: String) -> String? {
        options.last { $0.keyword == keyword }?.value
    }

    /// The state of one reading: the bytes, where it is, what it found.
    struct Reader {
        let bytes: [UInt8]
        var index = 0
        var options: [Option] = []
        var error: String?

        /// Records the first syntax error; reading goes on.
        mutating func fail(_ message: String) {
            if error == nil { error = message }
        }

        /// Stores an option as libpq's `conninfo_storeval` does: `requiressl=1` as `sslmode=require`,
        /// any other `requiressl` as `sslmode=prefer`.
        mutating func store(_ keyword: String, _ value: String, spelled spelling: String) {
            if keyword == "requiressl" {
                let mode = value.hasPrefix("1") ? "require" : "prefer"
                options.append(Option(keyword: "sslmode", value: mode, spelling: spelling))
            } else {
                options.append(Option(keyword: keyword, value: value, spelling: spelling))
            }
        }

        /// C's `isspace`: what libpq skips between options.
        static func isSpace(_ byte: UInt8) -> Bool {
            byte == 0x20 || (0x09...0x0D).contains(byte)
        }

        /// `keyword = value` pairs separated by white space; a value is a word or single-quoted,
        /// with `\` escaping the next character in both.
        mutating func readKeywords() {
            while index < bytes.count {
                if Self.isSpace(bytes[index]) {
                    index += 1
                    continue
                }
                let keywordStart = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "="), !Self.isSpace(bytes[index]) { index += 1 }
                let keyword = String(decoding: bytes[keywordStart..<index], as: UTF8.self)
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "=") {
                    index += 1
                    skipSpace()
                } else {
                    fail("missing \"=\" after \"\(keyword)\" in connection info string")
                    // Read on as if it were there: `password secret` still names a password.
                    guard index < bytes.count else { return }
                }
                let value = readValue()
                store(keyword, value, spelled: value)
            }
        }

        private mutating func skipSpace() {
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
        }

        /// A word up to white space, or a quoted value up to its closing quote.
        private mutating func readValue() -> String {
            var value: [UInt8] = []
            let quoted = index < bytes.count && bytes[index] == UInt8(ascii: "'")
            if quoted { index += 1 }
            while index < bytes.count {
                let byte = bytes[index]
                if quoted ? byte == UInt8(ascii: "'") : Self.isSpace(byte) {
                    index += 1
                    return String(decoding: value, as: UTF8.self)
                }
                if byte == UInt8(ascii: "\\") {
                    index += 1
                    if index < bytes.count { value.append(bytes[index]) }
                } else {
                    value.append(byte)
                }
                index += 1
            }
            if quoted { fail("unterminated quoted string in connection info string") }
            return String(decoding: value, as: UTF8.self)
        }
    }
}
