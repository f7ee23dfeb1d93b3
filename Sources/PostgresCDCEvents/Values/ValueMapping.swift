/// How a column's text-format value becomes JSON (and a ``PostgresValue``), decided by its type OID.
package indirect enum ValueMapping: Sendable, Hashable {
    /// `bool`: `t`/`f` → `true`/`false`.
    case bool
    /// `int2`, `int4`, `int8`, `oid` → JSON integer.
    case integer
    /// `float4`, `float8` → JSON number; NaN and ±Infinity → strings.
    case float
    /// `numeric` → string (exact).
    case numeric
    /// `json`, `jsonb` → embedded JSON.
    case json
    /// `timestamptz` → `"YYYY-MM-DDTHH:MM:SS.ffffffZ"`.
    case timestamptz
    /// `timestamp` → `"YYYY-MM-DDTHH:MM:SS.ffffff"`.
    case timestamp
    /// `date` → `"YYYY-MM-DD"`.
    case date
    /// `bytea` → `"\\x…"`.
    case bytea
    /// Everything else → the text form as a string.
    case text
    /// An array whose elements map as `element`, separated by `delimiter` in the text form.
    case array(element: ValueMapping, delimiter: UInt8)
}
