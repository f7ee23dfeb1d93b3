import CLibPQ
import Foundation

/// The secrets a connection string carries — a `password` keyword's value, a URI's
/// `user:password@` — so that no error or log line repeats them, even when libpq quotes a piece
/// of a string it could not parse.
package enum DSNSecrets {
    /// The password values written in `dsn` (keyword form, quoted or not, or a URI's user info),
    /// and the password as libpq reads it (a URI's `%`-escapes decoded, `?password=` included).
    static func passwords(in dsn: String) -> [String] {
        var found: [String] = []
        if let parsed = parsedPassword(in: dsn) { found.append(parsed) }
        // URI: scheme://user:password@host
        if let scheme = dsn.range(of: "://") {
            let rest = dsn[scheme.upperBound...]
            if let at = rest.firstIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
                let password = rest[rest.index(after: colon)..<at]
                if !password.isEmpty { found.append(String(password)) }
            }
        }
        // Keywords: password=value, password = 'quoted value', and the malformed "password value".
        var search = dsn.startIndex
        while let key = dsn.range(of: "password", range: search..<dsn.endIndex) {
            search = key.upperBound
            var index = key.upperBound
            while index < dsn.endIndex, dsn[index] == " " || dsn[index] == "=" { index = dsn.index(after: index) }
            guard index < dsn.endIndex else { break }
            var value = ""
            if dsn[index] == "'" {
                index = dsn.index(after: index)
                while index < dsn.endIndex, dsn[index] != "'" {
                    if dsn[index] == "\\", dsn.index(after: index) < dsn.endIndex { index = dsn.index(after: index) }
                    value.append(dsn[index])
                    index = dsn.index(after: index)
                }
            } else {
                while index < dsn.endIndex, dsn[index] != " " {
                    value.append(dsn[index])
                    index = dsn.index(after: index)
                }
            }
            if !value.isEmpty { found.append(value) }
        }
        var unique: [String] = []
        for password in found where !unique.contains(password) { unique.append(password) }
        return unique
    }

    /// Whether `dsn` carries a password (as libpq parses it; when it does not parse, as written).
    package static func containsPassword(_ dsn: String) -> Bool {
        guard ConninfoOptions.parse(dsn) != nil else { return !passwords(in: dsn).isEmpty }
        return parsedPassword(in: dsn) != nil
    }

    /// The `password` option libpq parses from `dsn`; `nil` when there is none or `dsn` does not parse.
    private static func parsedPassword(in dsn: String) -> String? {
        guard let password = ConninfoOptions.parse(dsn)?["password"], !password.isEmpty else { return nil }
        return password
    }

    /// `text` with every password of `dsn` replaced by `***`.
    static func redact(_ text: String, dsn: String) -> String {
        passwords(in: dsn).sorted { $0.count > $1.count }.reduce(text) { text, password in
            text.replacingOccurrences(of: password, with: "***")
        }
    }
}
