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
    /// `money`: Int64 in the smallest unit, written as the server's lc_monetary writes it.
    case money(MoneyFormat)
    /// Geometric types: float8 coordinates.
    case point, line, lseg, box, path, polygon, circle
    /// Text search types.
    case tsvector, tsquery
    /// `txid_snapshot` and `pg_snapshot`: `xmin:xmax:xip,…`.
    case snapshot
    /// `int2vector` and `oidvector`: an `array_send` of one dimension, written space-separated.
    case vector(element: BinaryFormat)
    /// A range over `subtype`.
    case range(subtype: BinaryFormat)
    /// A multirange over `subtype` (its range type's subtype).
    case multirange(subtype: BinaryFormat)
    /// A composite type (or a table's row type): its attributes in order, without dropped ones.
    case composite([CompositeField])
    /// A type whose binary form pgcdc cannot turn into its text form (reg* OID aliases, extension types, …).
    case unsupported
}

/// One attribute of a composite type: `record_send` writes its type OID before its value.
package struct CompositeField: Sendable, Hashable {
    /// The attribute's type (`pg_attribute.atttypid`), checked against the OID in the value.
    package var typeOID: UInt32
    /// How the attribute's value is read.
    package var format: BinaryFormat

    package init(typeOID: UInt32, format: BinaryFormat) {
        self.typeOID = typeOID
        self.format = format
    }
}
