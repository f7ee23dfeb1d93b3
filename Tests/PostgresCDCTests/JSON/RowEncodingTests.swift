import Foundation
import Testing
@testable import PostgresCDC

/// Both encoders write rows from the same column walk, each in its own envelope (no server).
@Suite struct RowEncodingTests {
    static func native(_ change: RowChange) -> String {
        var buffer = JSONBuffer()
        var encoder = JSONLinesEncoder()
        encoder.encode(.row(change), into: &buffer)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    /// `before` and `after` of the Debezium line.
    static func debezium(_ change: RowChange) throws -> (before: NSDictionary?, after: NSDictionary?) {
        var buffer = JSONBuffer()
        var encoder = DebeziumEncoder(database: "app")
        encoder.encode(.row(change), into: &buffer)
        let line = try #require(try JSONSerialization.jsonObject(with: Data(buffer.bytes)) as? [String: Any])
        return (line["before"] as? NSDictionary, line["after"] as? NSDictionary)
    }

    static let position = #""commit_lsn":"0/100","seq":0,"lsn":"0/80","xid":7,"commit_time":"2000-01-01T00:00:00.000000Z""#

    @Test func anUnchangedToastValueIsNamedInNativeAndAPlaceholderInDebezium() throws {
        let docs = HandBuiltRows.docs()
        let change = HandBuiltRows.change(.update, docs, new: HandBuiltRows.row(docs, [.text("1"), .text("b"), .unchangedToast, .null]))
        #expect(
            Self.native(change) == """
                {"op":"update","schema":"public","table":"docs",\(Self.position),"key":["id"],\
                "new":{"id":1,"title":"b","note":null},"unchanged_toast":["body"]}\n
                """)
        let debezium = try Self.debezium(change)
        #expect(debezium.before == nil)
        #expect(debezium.after == ["id": 1, "title": "b", "body": "__debezium_unavailable_value", "note": NSNull()])
    }

    @Test func anUnchangedToastValueComesFromAFullOldRowInBothFormats() throws {
        let docs = HandBuiltRows.docs(replicaIdentity: .full)
        let old = HandBuiltRows.row(docs, [.text("1"), .text("a"), .text("long"), .null])
        let new = HandBuiltRows.row(docs, [.text("1"), .text("b"), .unchangedToast, .null])
        let change = HandBuiltRows.change(.update, docs, old: old, new: new)
        #expect(
            Self.native(change) == """
                {"op":"update","schema":"public","table":"docs",\(Self.position),"key":["id"],\
                "old":{"id":1,"title":"a","body":"long","note":null},"new":{"id":1,"title":"b","body":"long","note":null}}\n
                """)
        let debezium = try Self.debezium(change)
        #expect(debezium.before == ["id": 1, "title": "a", "body": "long", "note": NSNull()])
        #expect(debezium.after == ["id": 1, "title": "b", "body": "long", "note": NSNull()])
    }

    @Test func anOldKeyHoldsOnlyTheKeyInNativeAndNullsInDebezium() throws {
        let docs = HandBuiltRows.docs()
        let change = HandBuiltRows.change(.delete, docs, old: HandBuiltRows.row(docs, [.text("1"), .null, .null, .null], keyOnly: true))
        #expect(
            Self.native(change) == """
                {"op":"delete","schema":"public","table":"docs",\(Self.position),"key":["id"],"old":{"id":1}}\n
                """)
        let debezium = try Self.debezium(change)
        #expect(debezium.before == ["id": 1, "title": NSNull(), "body": NSNull(), "note": NSNull()])
        #expect(debezium.after == nil)
    }

    @Test func anUnchangedToastedKeyComesFromTheOldKeyInBothFormats() throws {
        let docs = HandBuiltRows.docs()
        let old = HandBuiltRows.row(docs, [.text("1"), .null, .null, .null], keyOnly: true)
        let new = HandBuiltRows.row(docs, [.unchangedToast, .text("b"), .null, .null])
        let change = HandBuiltRows.change(.update, docs, old: old, new: new)
        #expect(
            Self.native(change) == """
                {"op":"update","schema":"public","table":"docs",\(Self.position),"key":["id"],\
                "old":{"id":1},"new":{"id":1,"title":"b","body":null,"note":null}}\n
                """)
        let debezium = try Self.debezium(change)
        #expect(debezium.before == ["id": 1, "title": NSNull(), "body": NSNull(), "note": NSNull()])
        #expect(debezium.after == ["id": 1, "title": "b", "body": NSNull(), "note": NSNull()])
    }

    @Test func theDebeziumSourceNamesThePositionAsSequenceAndLSN() throws {
        let docs = HandBuiltRows.docs()
        let change = HandBuiltRows.change(.insert, docs, new: HandBuiltRows.row(docs, [.text("1"), .null, .null, .null]))
        var buffer = JSONBuffer()
        var encoder = DebeziumEncoder(database: "app")
        encoder.encode(.row(change), into: &buffer)
        let line = try #require(try JSONSerialization.jsonObject(with: Data(buffer.bytes)) as? [String: Any])
        let source = try #require(line["source"] as? [String: Any])
        #expect(source["sequence"] as? String == #"["256","128"]"#)
        #expect(source["lsn"] as? Int == 128)
        #expect(source["txId"] as? Int == 7)
        #expect(source["schema"] as? String == "public")
        #expect(source["table"] as? String == "docs")
        #expect(line["op"] as? String == "c")
    }

    @Test func filteredColumnsAreLeftOutOfBothFormats() throws {
        let docs = HandBuiltRows.docs(excluded: ["body"])
        let new = HandBuiltRows.row(docs, [.text("1"), .text("b"), .unchangedToast, .text("n")])
        let change = HandBuiltRows.change(.update, docs, new: new)
        #expect(
            Self.native(change) == """
                {"op":"update","schema":"public","table":"docs",\(Self.position),"key":["id"],\
                "new":{"id":1,"title":"b","note":"n"}}\n
                """)
        let debezium = try Self.debezium(change)
        #expect(debezium.after == ["id": 1, "title": "b", "note": "n"])
    }
}
