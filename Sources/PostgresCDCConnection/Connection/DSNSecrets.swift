import Foundation

/// The secrets a connection string carries — a `password` (or `sslpassword`) keyword's value, a
/// URI's `user:password@` — so that no error or log line repeats them, even when libpq quotes a
/// piece of a string it could not parse.
package enum DSNSecrets {
    /// The options whose values are secrets (libpq shows them as `*` in `PQconndefaults`).
    static let secretKeywords: Set<String> = ["password", "sslpassword"]

    /// The secrets written in `dsn` as ``ConnectionString`` reads them — keyword form, quoted or not,
    /// or a URI's user info or `?password=` (decoded, and as written) — also in a string libpq
    /// rejects, and past its syntax error (`password secret` without its `=`).
    static func passwords(in dsn: String) -> [String] {
        var found: [String] = []
        for option in ConnectionString(parsing: dsn).options where secretKeywords.contains(option.keyword) {
            for secret in [option.value, option.spelling] where !secret.isEmpty && !found.contains(secret) {
                found.append(secret)
            }
        }
        return found
    }

    /// Whether `dsn` carries a password (the one libpq would use; when it does not parse, any written).
    package static func containsPassword(_ dsn: String) -> Bool {
        let parsed = ConnectionString(parsing: dsn)
        guard parsed.syntaxError == nil else { return !passwords(in: dsn).isEmpty }
        return !(parsed.value("password") ?? "").isEmpty
    }

    /// `text` with every password of `dsn` replaced by `***`.
    package static func redact(_ text: String, dsn: String) -> String {
        passwords(in: dsn).sorted { $0.count > $1.count }.reduce(text) { text, password in
            text.replacingOccurrences(of: password, with: "***")
        }
    }
}
