import PGOutput
import Testing
@testable import PostgresCDC

/// The encoders' own fragments per relation: made once per description of a table, never carried by
/// the relation (no server).
@Suite struct EncodedRelationsTests {
    @Test func aRelationsFragmentsAreMadeOnceAndReusedForItsNextRows() {
        var relations = EncodedRelations()
        let docs = HandBuiltRows.docs()
        let first = relations(docs)
        #expect(relations(docs) === first)
        #expect(String(decoding: first.schemaAndTable, as: UTF8.self) == #""schema":"public","table":"docs","#)
        #expect(String(decoding: first.key, as: UTF8.self) == #""key":["id"],"#)
    }

    @Test func aNewDescriptionOfTheTableGetsNewFragments() {
        var relations = EncodedRelations()
        let before = relations(HandBuiltRows.docs())
        let after = relations(HandBuiltRows.docs(excluded: ["note"]))
        #expect(after !== before)
        #expect(after.columnNames.map { String(decoding: $0, as: UTF8.self) } == [#""id""#, #""title""#, #""body""#, #""note""#])
    }

    @Test func twoTablesKeepTheirFragmentsWhenTheirRowsAlternate() {
        var relations = EncodedRelations()
        let docs = HandBuiltRows.docs()
        let items = Self.items()
        let docsFragments = relations(docs)
        let itemsFragments = relations(items)
        #expect(relations(docs) === docsFragments)
        #expect(relations(items) === itemsFragments)
        #expect(String(decoding: itemsFragments.schemaAndTable, as: UTF8.self) == #""schema":"shop","table":"items","#)
    }

    @Test func theFilterLeavesOmittedColumnsOutOfTheKey() {
        var relations = EncodedRelations()
        let docs = HandBuiltRows.docs(excluded: ["id"])
        #expect(String(decoding: relations(docs).key, as: UTF8.self) == #""key":[],"#)
    }

    /// `shop.items (sku text key)`.
    static func items() -> Relation {
        let message = RelationMessage(
            xid: nil, oid: 43, namespace: "shop", name: "items", replicaIdentity: .default,
            columns: [.init(isKey: true, name: "sku", typeOID: 25, typeModifier: -1)])
        return Relation(message: message, catalog: TypeCatalog(), omitted: [], primaryKey: nil)
    }
}
