/// How a column's value in pgoutput's binary format (`binary = true`: each type's send function)
/// is turned back into exactly the text PostgreSQL's output function would have sent, so that
/// binary mode writes the same JSON as text mode.
package indirect enum BinaryFormat: Sendable, Hashable {
    case bool
    case int2, int4, int8
    /// `oid`, `xid`, `cid`: unsigned 32-bit.
    case uint32
    /// `xid8`: unsigned 64-bit.
    case uint64
    case float4, float8
    case numeric
    /// The send format is the text itself: text, varchar, bpchar, name, json, xml, enum labels.
    case textual
    /// `jsonb`: a version byte (1), then the text.
    case jsonb
    /// `"char"`: one byte.
    case char
    case bytea
    case uuid
    case date, time, timetz, timestamp, timestamptz, interval
    /// `inet` and `cidr` (the send format says which).
    case inet
    case macaddr, macaddr8
    /// `bit` and `varbit`.
    case bits
    /// `pg_lsn`.
    case lsn
    /// `tid`: `(block,offset)`.
    case tid
    /// An array of elements in `element`'s format; `delimiter` separates them in the text form.
    case array(element: BinaryFormat, delimiter: UInt8)
    /// A type whose binary form pgcdc cannot turn into its text form (composite, range, tsvector, money, …).
    case unsupported

    /// Built-in scalar types by OID.
    package static let builtins: [UInt32: BinaryFormat] = [
        16: .bool, 17: .bytea, 18: .char, 19: .textual, 20: .int8, 21: .int2, 23: .int4, 25: .textual, 26: .uint32,
        27: .tid, 28: .uint32, 29: .uint32, 114: .json, 700: .float4, 701: .float8, 650: .inet, 869: .inet,
        774: .macaddr8, 829: .macaddr, 1042: .textual, 1043: .textual, 1082: .date, 1083: .time, 1114: .timestamp,
        1184: .timestamptz, 1186: .interval, 1266: .timetz, 1560: .bits, 1562: .bits, 1700: .numeric, 2950: .uuid,
        3220: .lsn, 3802: .jsonb, 5069: .uint64,
    ]

    /// `json`'s send format is its text.
    static let json = BinaryFormat.textual
}

extension TypeCatalog {
    /// The binary conversion for values of type `oid` (domains as their base type, enums as their label).
    package func binaryFormat(for oid: UInt32) -> BinaryFormat {
        binaryFormat(for: oid, depth: 0)
    }

    private func binaryFormat(for oid: UInt32, depth: Int) -> BinaryFormat {
        if let builtin = BinaryFormat.builtins[oid] { return builtin }
        if row(oid) == nil, let element = Self.builtinArrays[oid] {
            let format = binaryFormat(for: element, depth: depth + 1)
            return format == .unsupported ? .unsupported : .array(element: format, delimiter: oid == 1020 ? UInt8(ascii: ";") : UInt8(ascii: ","))
        }
        guard depth < 16, let row = row(oid) else { return .unsupported }
        if row.typtype == UInt8(ascii: "d"), row.typbasetype != 0 { return binaryFormat(for: row.typbasetype, depth: depth + 1) }
        if row.typtype == UInt8(ascii: "e") { return .textual }
        if row.typelem != 0 {
            let format = binaryFormat(for: row.typelem, depth: depth + 1)
            return format == .unsupported ? .unsupported : .array(element: format, delimiter: row.typdelim)
        }
        return .unsupported
    }
}
