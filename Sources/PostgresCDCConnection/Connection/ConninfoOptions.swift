import CLibPQ

/// The options of a connection string (keyword form or URI) as libpq reads them: keyword → value,
/// only those the string sets.
package enum ConninfoOptions {
    /// The options `dsn` sets; `nil` when libpq would not take it: its syntax is wrong
    /// (``ConnectionString/syntaxError``) or it names an option this libpq does not know.
    package static func parse(_ dsn: String) -> [String: String]? {
        let parsed = ConnectionString(parsing: dsn)
        guard parsed.syntaxError == nil else { return nil }
        var values: [String: String] = [:]
        for option in parsed.options {
            guard knownKeywords.contains(option.keyword) else { return nil }
            values[option.keyword] = option.value
        }
        return values
    }

    /// The connection options the linked libpq knows (`PQconndefaults`), read once.
    static let knownKeywords: Set<String> = {
        guard let defaults = PQconndefaults() else { return [] }
        defer { PQconninfoFree(defaults) }
        var keywords: Set<String> = []
        var option = defaults
        while let keyword = option.pointee.keyword {
            keywords.insert(String(cString: keyword))
            option += 1
        }
        return keywords
    }()
}
