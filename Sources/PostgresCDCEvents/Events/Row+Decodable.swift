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

    /// The values the change carries as a `Decodable` type whose properties are `Optional`: a
    /// value the change does not carry — an unchanged TOAST value the old row lacks, which
    /// ``decode(_:keys:)`` refuses — leaves its property `nil` instead of throwing, so a partial
    /// row decodes too. NULL is `nil` as well: before writing a `nil` property back, ask
    /// ``RowValues/isPresent(column:)`` (or write ``RowValues/presentColumns``), or the stored
    /// value would become NULL.
    ///
    /// ```swift
    /// struct ProductChange: Decodable { var id: Int; var name: String?; var description: String? }
    /// let product = try resolved.decodePresent(ProductChange.self)
    /// if product.description == nil && !resolved.isPresent(column: "description") {
    ///     // keep the stored description
    /// }
    /// ```
    public func decodePresent<T: Decodable>(_ type: T.Type = T.self, keys: ColumnKeyStrategy = .useDefaultKeys) throws -> T {
        try T(from: RowDecoder(columns: DecodableColumns(self, unsentAsAbsent: true), keys: keys))
    }
}
