/// The JSON fragments of the relations an encoder has written rows of, made the first time a
/// relation is met: the encoder keeps them, so that a ``Relation`` knows nothing of JSON.
///
/// One entry per relation OID, replaced when the server describes the table again (a new
/// ``Relation``); the last relation asked for is answered without a lookup (rows of one table
/// usually come one after another).
package struct EncodedRelations: Sendable {
    /// The relation asked for last (alive in ``byOID`` while it is the last: the identity is not
    /// reused) and its fragments; compared by identity, so that the common case retains nothing but
    /// the fragments it returns.
    private var lastRelation: ObjectIdentifier?
    private var lastEncoded: EncodedRelation?
    /// Every relation's fragments by OID.
    private var byOID: [UInt32: Entry] = [:]

    private struct Entry: Sendable {
        let relation: Relation
        let encoded: EncodedRelation
    }

    /// No relation yet.
    package init() {}

    /// The fragments of `relation`, made now if this relation (this description of its table) is new.
    @inline(__always)
    package mutating func callAsFunction(_ relation: Relation) -> EncodedRelation {
        if lastRelation == ObjectIdentifier(relation), let lastEncoded { return lastEncoded }
        return lookUp(relation)
    }

    /// ``callAsFunction(_:)`` without a retain: the fragments stay alive here until `relation`'s
    /// table is described again, so a caller may borrow them while it writes one row.
    @inline(__always)
    package mutating func unretained(_ relation: Relation) -> Unmanaged<EncodedRelation> {
        if lastRelation == ObjectIdentifier(relation), let lastEncoded { return Unmanaged.passUnretained(lastEncoded) }
        return Unmanaged.passUnretained(lookUp(relation))
    }

    private mutating func lookUp(_ relation: Relation) -> EncodedRelation {
        let entry: Entry
        if let known = byOID[relation.oid], known.relation === relation {
            entry = known
        } else {
            entry = Entry(relation: relation, encoded: EncodedRelation(relation))
            byOID[relation.oid] = entry
        }
        lastRelation = ObjectIdentifier(relation)
        lastEncoded = entry.encoded
        return entry.encoded
    }
}
