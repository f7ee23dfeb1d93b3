extension StreamConfiguration: CustomStringConvertible, CustomDebugStringConvertible {
    /// The configuration's settings, with the DSN's passwords replaced by `***`, so that logging a
    /// configuration never writes a secret.
    public var description: String {
        let settings = Mirror(reflecting: self).children.map { child -> String in
            let label = child.label ?? "_"
            return label == "dsn" ? "dsn: \"\(DSNSecrets.redact(dsn, dsn: dsn))\"" : "\(label): \(String(reflecting: child.value))"
        }
        return "StreamConfiguration(\(settings.joined(separator: ", ")))"
    }

    /// The same as ``description``: the DSN's passwords are replaced by `***` there too.
    public var debugDescription: String { description }
}
