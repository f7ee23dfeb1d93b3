extension LSN: Codable {
    /// An LSN from its `X/Y` text form (``description``), or from its 64-bit ``value`` as an integer.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(UInt64.self) {
            self.init(value)
            return
        }
        let text = try container.decode(String.self)
        guard let lsn = LSN(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(text)\" is not an LSN (X/Y in hexadecimal)")
        }
        self = lsn
    }

    /// Encodes the `X/Y` text form (``description``), as PostgreSQL prints a `pg_lsn`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// `LSN(lsn.description) == lsn` for every LSN: store one as text (a `pg_lsn` column takes it too)
/// and read it back with `LSN(text)`.
extension LSN: LosslessStringConvertible {}
