import PGOutput

/// The column values of one row version (new or old) of a change.
public struct Row: Sendable {
    /// The table the row belongs to.
    public let relation: Relation
    /// The raw tuple as the server sent it.
    public let tuple: TupleData
    /// `true` when the server sent only the replica-identity columns (an old *key*); the other
    /// columns are then absent, not NULL.
    public let isKeyOnly: Bool

    package init(relation: Relation, tuple: TupleData, isKeyOnly: Bool) {
        self.relation = relation
        self.tuple = tuple
        self.isKeyOnly = isKeyOnly
    }

    /// Whether column `index` was sent with a value (or NULL): not an unchanged TOAST value,
    /// and not a non-key column of an old key.
    public func isPresent(_ index: Int) -> Bool {
        if case .sent = content(at: index) { return true }
        return false
    }

    /// How column `index` arrived: a value (NULL, text or binary bytes), absent (a non-key column
    /// of an old key, or an index outside the row), or an unchanged TOAST value the server did not send.
    @inline(__always)
    package func content(at index: Int) -> Content {
        column(at: index).map(content(of:)) ?? .absent
    }

    /// Column `index` as the tuple has it (its kind, and its bytes' range in ``TupleData/storage``);
    /// `nil` when the row does not carry it (see ``content(at:)``).
    @inline(__always)
    package func column(at index: Int) -> TupleData.Column? {
        guard index >= 0, index < tuple.columns.count, index < relation.columns.count else { return nil }
        if isKeyOnly && !relation.columns[index].isKey { return nil }
        return tuple.columns[index]
    }

    /// How `column`, one of this row's tuple's, arrived.
    @inline(__always)
    package func content(of column: TupleData.Column) -> Content {
        switch column.kind {
        case .null: return .sent(.null)
        case .text: return .sent(.text(tuple.storage[column.range]))
        case .binary: return .sent(.binary(tuple.storage[column.range]))
        case .unchangedToast: return .unchangedToast
        }
    }

    /// How one column of a row arrived (see ``content(at:)``).
    package enum Content: Sendable {
        /// The server sent the value.
        case sent(SentValue)
        /// The server did not send the column: a non-key column of an old key.
        case absent
        /// A TOASTed value the change did not touch; the server did not send it.
        case unchangedToast
    }

    /// A value the server sent, in the tuple's bytes.
    package enum SentValue: Sendable {
        /// SQL NULL.
        case null
        /// The value's text form.
        case text(ArraySlice<UInt8>)
        /// The value's binary send format (``StreamConfiguration/binaryValues``).
        case binary(ArraySlice<UInt8>)
    }

    /// The typed value of column `index`; `.unchangedToast` for a value the server did not send.
    public func value(at index: Int) -> PostgresValue {
        guard index >= 0, index < tuple.columns.count, index < relation.columns.count else { return .null }
        switch tuple.columns[index].kind {
        case .null: return .null
        case .unchangedToast: return .unchangedToast
        case .text:
            return PostgresValue(text: tuple.storage[tuple.columns[index].range], mapping: relation.columns[index].mapping)
        case .binary:
            guard let text = binaryAsText(index) else { return .text(hexText(index)) }
            return PostgresValue(text: text[...], mapping: relation.columns[index].mapping)
        }
    }

    /// Column `index` in PostgreSQL's text form, exactly as the server sent it (ready to bind as a
    /// text parameter); `nil` for NULL and for a value that was not sent (see ``isPresent(_:)``).
    public func text(at index: Int) -> String? {
        switch content(at: index) {
        case let .sent(.text(text)): return String(decoding: text, as: UTF8.self)
        case .sent(.binary): return binaryAsText(index).map { String(decoding: $0, as: UTF8.self) } ?? hexText(index)
        case .sent(.null), .absent, .unchangedToast: return nil
        }
    }

    /// A column looked up by name (``RowValues/subscript(_:)``).
    public typealias Field = ColumnField
}

extension Row {
    /// A binary column (``StreamConfiguration/binaryValues``) in PostgreSQL's text form; `nil` when its bytes are not a value of its type.
    func binaryAsText(_ index: Int) -> [UInt8]? {
        var text: [UInt8] = []
        guard BinaryText.append(tuple.storage[tuple.columns[index].range], as: relation.columns[index].binary, to: &text) else {
            return nil
        }
        return text
    }

    /// A binary column's bytes as `\x…` hex, for bytes that are not a value of the column's type.
    func hexText(_ index: Int) -> String {
        var text: [UInt8] = Array("\\x".utf8)
        BinaryText.appendHex(tuple.storage[tuple.columns[index].range], to: &text)
        return String(decoding: text, as: UTF8.self)
    }
}
