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
}
