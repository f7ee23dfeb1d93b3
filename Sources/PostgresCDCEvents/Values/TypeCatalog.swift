/// Maps type OIDs to what pgcdc knows about them (``ColumnType``): built-in types from one static
/// table, types created in the database (domains, enums, their arrays) from `pg_type` rows.
///
/// Resolved once per column when a relation is described (``Relation``), never per row.
package struct TypeCatalog: Sendable {
    private var custom: [UInt32: TypeRow] = [:]

    /// How the server writes `money`; `nil` until learned, or when its lc_monetary's layout cannot be
    /// reproduced (money then has no binary format).
    package var money: MoneyFormat?
    /// Whether the money format was looked for (once per session).
    package var moneyLearned = false

    /// A catalog that knows the built-in types.
    package init() {}

    /// Adds (or replaces) a type created in the database.
    package mutating func add(_ row: TypeRow) {
        custom[row.oid] = row
    }

    /// Whether the OID is a built-in type (below `FirstNormalObjectId`) or one added from `pg_type`.
    package func knows(_ oid: UInt32) -> Bool {
        oid < 16384 || custom[oid] != nil
    }

    /// The text mapping and binary format of type `oid`; ``ColumnType/other`` for a type without a rule.
    package func columnType(for oid: UInt32) -> ColumnType {
        resolve(oid, depth: 0)
    }

    /// How type `oid`'s binary form is read (``BinaryFormat/unsupported`` when it cannot be).
    package func binaryFormat(for oid: UInt32) -> BinaryFormat {
        resolve(oid, depth: 0).binary
    }

    /// Domains over domains and arrays of arrays are finite in a real catalog; the bound only
    /// protects against a cycle in bad catalog data (the type then resolves as ``ColumnType/other``).
    static let maximumDepth = 16

    private func resolve(_ oid: UInt32, depth: Int) -> ColumnType {
        if let builtin = Self.builtins[oid] { return builtin }
        if oid == Self.moneyOID { return ColumnType(.text, money.map { .money($0) } ?? .unsupported) }
        if custom[oid] == nil, let element = Self.builtinArrays[oid] {
            // box's delimiter is ';' (a box's text holds commas).
            let delimiter = oid == Self.boxArray ? UInt8(ascii: ";") : UInt8(ascii: ",")
            return .array(of: resolve(element, depth: depth + 1), delimiter: delimiter)
        }
        guard depth < Self.maximumDepth, let row = custom[oid] else { return .other }
        if row.typtype == UInt8(ascii: "d"), row.typbasetype != 0 { return resolve(row.typbasetype, depth: depth + 1) }
        if row.typtype == UInt8(ascii: "e") { return .enumLabel }
        // Rows are loaded with typelem = 0 unless the type is an array (typinput = array_in).
        if row.typelem != 0 { return .array(of: resolve(row.typelem, depth: depth + 1), delimiter: row.typdelim) }
        switch row.typtype {
        case UInt8(ascii: "r") where row.rangeSubtype != 0:
            let subtype = resolve(row.rangeSubtype, depth: depth + 1).binary
            return ColumnType(.text, subtype == .unsupported ? .unsupported : .range(subtype: subtype))
        case UInt8(ascii: "m") where row.rangeSubtype != 0:
            guard case let .range(subtype) = resolve(row.rangeSubtype, depth: depth + 1).binary else { return .other }
            return ColumnType(.text, .multirange(subtype: subtype))
        case UInt8(ascii: "c") where !row.attributes.isEmpty:
            var fields: [CompositeField] = []
            for attribute in row.attributes {
                let format = resolve(attribute, depth: depth + 1).binary
                if format == .unsupported { return .other }
                fields.append(CompositeField(typeOID: attribute, format: format))
            }
            return ColumnType(.text, .composite(fields))
        default:
            return .other
        }
    }
}
