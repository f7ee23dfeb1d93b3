extension PostgresTimestamp: Codable {
    /// A timestamp from its ``microsecondsSince2000`` as one integer. (A row's column decodes
    /// from its value instead: PostgresCDC's row decoder converts `timestamptz` and `timestamp`.)
    public init(from decoder: any Decoder) throws {
        self.init(microsecondsSince2000: try decoder.singleValueContainer().decode(Int64.self))
    }

    /// Encodes ``microsecondsSince2000`` as one integer.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(microsecondsSince2000)
    }
}
