/// What pgcdc knows about a column's type, resolved once per OID by ``TypeCatalog``: how its text
/// form becomes JSON (and a ``PostgresValue``), and how its binary send format is turned back into
/// that text. The two travel together so they can never disagree about which types are known.
package struct ColumnType: Sendable, Hashable {
    /// How a value in text form is written as JSON and converted to a ``PostgresValue``.
    package var mapping: ValueMapping
    /// How a value in binary form (``StreamConfiguration/binaryValues``) is turned into its text form.
    package var binary: BinaryFormat

    package init(_ mapping: ValueMapping, _ binary: BinaryFormat) {
        self.mapping = mapping
        self.binary = binary
    }

    /// Every type pgcdc has no rule for (unknown OIDs, composites, ranges, …): its text as a JSON
    /// string; its binary form cannot be read.
    package static let other = ColumnType(.text, .unsupported)

    /// An enum: its label, which is also its binary send format.
    package static let enumLabel = ColumnType(.text, .textual)

    /// An array of `element`, whose text form separates items with `delimiter`. Its binary form is
    /// readable only when the element's is.
    package static func array(of element: ColumnType, delimiter: UInt8) -> ColumnType {
        ColumnType(
            .array(element: element.mapping, delimiter: delimiter),
            element.binary == .unsupported ? .unsupported : .array(element: element.binary, delimiter: delimiter)
        )
    }
}
