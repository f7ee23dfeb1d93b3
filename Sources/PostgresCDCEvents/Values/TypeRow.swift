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

    /// A range's subtype (`pg_range.rngsubtype`); a multirange's range type (`pg_range.rngtypid`); else 0.
    package var rangeSubtype: UInt32
    /// A composite type's attribute types in order, dropped attributes left out.
    package var attributes: [UInt32]

    package init(
        oid: UInt32, typtype: UInt8, typelem: UInt32, typbasetype: UInt32, typdelim: UInt8, rangeSubtype: UInt32 = 0,
        attributes: [UInt32] = []
    ) {
        self.rangeSubtype = rangeSubtype
        self.attributes = attributes
        self.oid = oid
        self.typtype = typtype
        self.typelem = typelem
        self.typbasetype = typbasetype
        self.typdelim = typdelim
    }
}
