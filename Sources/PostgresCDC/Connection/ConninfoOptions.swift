import CLibPQ

/// The options of a connection string (keyword form or URI) as libpq reads them: keyword → value,
/// only those the string sets.
package enum ConninfoOptions {
    /// The options `dsn` sets; `nil` when libpq cannot parse it.
    package static func parse(_ dsn: String) -> [String: String]? {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(dsn, &errorMessage) else {
            if let errorMessage { PQfreemem(errorMessage) }
            return nil
        }
        defer { PQconninfoFree(options) }
        var values: [String: String] = [:]
        var index = 0
        while let keyword = options[index].keyword {
            if let value = options[index].val { values[String(cString: keyword)] = String(cString: value) }
            index += 1
        }
        return values
    }
}
