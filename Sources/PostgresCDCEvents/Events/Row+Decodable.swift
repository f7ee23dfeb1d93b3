extension Row {
    /// The row as a `Decodable` type, one property per column: `try change.new?.decode(Order.self)`.
    ///
    /// A property's type is any ``PostgresValueConvertible`` type (integers, `Double`, `Float`,
    /// `Bool`, `String`, `Decimal`, `Date`, `UUID`, `Data`, ``JSONValue``, arrays of them), a
    /// `Decodable` type for a `json`/`jsonb` column (decoded from its JSON text), or one that
    /// decodes from those (a `String` enum). NULL reads as `nil` into an `Optional` property.
    ///
    /// Throws a `DecodingError` naming the column and table: `keyNotFound` for a property without
    /// a column in the row, `valueNotFound` for NULL in a non-optional property and for an
    /// unchanged TOAST value (decode ``RowChange/resolved`` instead, or leave the property out of
    /// the type), `typeMismatch` for a value that does not convert.
    public func decode<T: Decodable>(_ type: T.Type = T.self, keys: ColumnKeyStrategy = .useDefaultKeys) throws -> T {
        try T(from: RowDecoder(columns: DecodableColumns(self), keys: keys))
    }
}

extension ResolvedRow {
    /// The resolved row as a `Decodable` type, like ``Row/decode(_:keys:)``: an unchanged TOAST
    /// value reads from the old row where it has it; one the change does not carry at all (see
    /// ``unchangedColumns``) throws `valueNotFound` naming the column.
    public func decode<T: Decodable>(_ type: T.Type = T.self, keys: ColumnKeyStrategy = .useDefaultKeys) throws -> T {
        try T(from: RowDecoder(columns: DecodableColumns(self), keys: keys))
    }
}
