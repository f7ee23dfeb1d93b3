extension PostgresValue {
    /// The value in PostgreSQL's text form, to bind as a text query parameter (`$1::type`) so the
    /// server stores exactly this value again; `nil` for NULL.
    ///
    /// Timestamps keep their microseconds (`timestamptz` in UTC, `+00`), floats their shortest
    /// exact digits (`NaN`, `Infinity`), numerics their text; `bytea` is `\x` hex, `bool` is
    /// `t`/`f`, JSON its text, and arrays are array literals (`{1,NULL,"a \"b\""}`). A value of a
    /// type without a case of its own (uuid, inet, interval, ...) is the server's text.
    ///
    /// Throws ``PostgresValueError/unchangedToast(expected:)`` for a value the server did not
    /// send: binding NULL in its place would overwrite the stored value. For a column of a row,
    /// ``Row/text(at:)`` gives the same text straight from the server's bytes.
    public var parameterText: String? {
        get throws(PostgresValueError) {
            if case .null = self { return nil }
            var text: [UInt8] = []
            try appendParameterText(to: &text)
            return String(decoding: text, as: UTF8.self)
        }
    }

    /// Appends the text form; an array's NULL elements as `NULL`.
    private func appendParameterText(to out: inout [UInt8]) throws(PostgresValueError) {
        switch self {
        case .null: out.append(contentsOf: "NULL".utf8)
        case let .bool(flag): out.append(flag ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        case let .int(number): BinaryText.appendDecimal(number, to: &out)
        case let .double(number): BinaryText.appendShortest(number, to: &out)
        case let .numeric(text), let .text(text), let .json(text), let .date(text): out.append(contentsOf: text.utf8)
        case let .bytes(bytes):
            out.append(contentsOf: "\\x".utf8)
            BinaryText.appendHex(bytes[...], to: &out)
        case let .timestamptz(timestamp): BinaryText.appendTimestamp(timestamp.microsecondsSince2000, zone: true, to: &out)
        case let .timestamp(timestamp): BinaryText.appendTimestamp(timestamp.microsecondsSince2000, zone: false, to: &out)
        case let .array(elements):
            // Every built-in array type but box[] separates elements with a comma.
            out.append(UInt8(ascii: "{"))
            var element: [UInt8] = []
            for (index, value) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                switch value {
                case .null, .array:
                    try value.appendParameterText(to: &out)
                default:
                    element.removeAll(keepingCapacity: true)
                    try value.appendParameterText(to: &element)
                    BinaryText.appendArrayElement(element, delimiter: UInt8(ascii: ","), to: &out)
                }
            }
            out.append(UInt8(ascii: "}"))
        case .unchangedToast:
            throw .unchangedToast(expected: "parameter text")
        }
    }
}
