/// A row of `pg_type` for a type created in the database (OID >= 16384).
package struct TypeRow: Sendable, Hashable {
    /// The type's OID.
    package var oid: UInt32
    /// `typtype`: `b` base, `c` composite, `d` domain, `e` enum, `p` pseudo, `r` range, `m` multirange.
    package var typtype: UInt8
    /// `typelem`: the element type of an array type, else 0.
    package var typelem: UInt32  // 0 unless the type is an array (typinput = array_in)
    /// `typbasetype`: the base type of a domain, else 0.
    package var typbasetype: UInt32
    /// The array element delimiter (the element type's `typdelim`).
    package var typdelim: UInt8

    package init(oid: UInt32, typtype: UInt8, typelem: UInt32, typbasetype: UInt32, typdelim: UInt8) {
        self.oid = oid
        self.typtype = typtype
        self.typelem = typelem
        self.typbasetype = typbasetype
        self.typdelim = typdelim
    }
}

/// Maps type OIDs to value conversions: built-in types statically, types created in the
/// database (domains, enums, their arrays) from `pg_type` rows.
package struct TypeCatalog: Sendable {
    private var custom: [UInt32: TypeRow] = [:]

    /// A catalog that knows the built-in types.
    package init() {}

    /// Adds (or replaces) a type created in the database.
    package mutating func add(_ row: TypeRow) {
        custom[row.oid] = row
    }

    /// The `pg_type` row of a type created in the database.
    func row(_ oid: UInt32) -> TypeRow? {
        custom[oid]
    }

    /// Whether the OID is a built-in type or one added from `pg_type`.
    package func knows(_ oid: UInt32) -> Bool {
        oid < 16384 || custom[oid] != nil
    }

    /// The conversion for values of type `oid`; unknown types map to `.text`.
    package func mapping(for oid: UInt32) -> ValueMapping {
        mapping(for: oid, depth: 0)
    }

    private func mapping(for oid: UInt32, depth: Int) -> ValueMapping {
        if let builtin = Self.builtins[oid] { return builtin }
        if custom[oid] == nil, let element = Self.builtinArrays[oid] {
            return .array(element: mapping(for: element, depth: depth + 1), delimiter: oid == 1020 ? UInt8(ascii: ";") : UInt8(ascii: ","))
        }
        // Domains over domains and arrays of arrays are finite in a real catalog; the depth
        // bound only protects against a cycle in bad catalog data.
        guard depth < 16, let row = custom[oid] else { return .text }
        if row.typtype == UInt8(ascii: "d"), row.typbasetype != 0 {
            return mapping(for: row.typbasetype, depth: depth + 1)
        }
        // Rows are loaded with typelem = 0 unless the type is an array (typinput = array_in).
        if row.typelem != 0 {
            return .array(element: mapping(for: row.typelem, depth: depth + 1), delimiter: row.typdelim)
        }
        return .text
    }

    /// Built-in scalar types with a mapping other than `.text`.
    static let builtins: [UInt32: ValueMapping] = [
        16: .bool,
        20: .integer, 21: .integer, 23: .integer, 26: .integer,
        700: .float, 701: .float,
        1700: .numeric,
        114: .json, 3802: .json,
        1184: .timestamptz, 1114: .timestamp,
        1082: .date,
        17: .bytea,
    ]

    /// Built-in array types (`pg_type.typcategory = 'A'`, PostgreSQL 15, without the space-separated
    /// int2vector/oidvector) → element type OID.
    static let builtinArrays: [UInt32: UInt32] = [
        143: 142, 199: 114, 210: 71, 270: 75, 271: 5069, 272: 81, 273: 83, 629: 628, 651: 650,
        719: 718, 775: 774, 791: 790, 1000: 16, 1001: 17, 1002: 18, 1003: 19, 1005: 21, 1006: 22, 1007: 23,
        1008: 24, 1009: 25, 1010: 27, 1011: 28, 1012: 29, 1013: 30, 1014: 1042, 1015: 1043, 1016: 20, 1017:
        600, 1018: 601, 1019: 602, 1020: 603, 1021: 700, 1022: 701, 1027: 604, 1028: 26, 1034: 1033, 1040:
        829, 1041: 869, 1115: 1114, 1182: 1082, 1183: 1083, 1185: 1184, 1187: 1186, 1231: 1700, 1263: 2275,
        1270: 1266, 1561: 1560, 1563: 1562, 2201: 1790, 2207: 2202, 2208: 2203, 2209: 2204, 2210: 2205, 2211:
        2206, 2949: 2970, 2951: 2950, 3221: 3220, 3643: 3614, 3644: 3642, 3645: 3615, 3735: 3734, 3770: 3769,
        3807: 3802, 3905: 3904, 3907: 3906, 3909: 3908, 3911: 3910, 3913: 3912, 3927: 3926, 4073: 4072, 4090:
        4089, 4097: 4096, 4192: 4191, 5039: 5038, 6150: 4451, 6151: 4532, 6152: 4533, 6153: 4534, 6155: 4535,
        6157: 4536,
    ]
}
