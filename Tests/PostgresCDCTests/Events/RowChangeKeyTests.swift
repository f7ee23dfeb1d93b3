import Foundation
import PGOutput
import Testing
@testable import PostgresCDC
@testable import PostgresCDCEvents

/// Keys, present columns, partial decoding and descriptions of a change, without a server.
@Suite struct RowChangeKeyTests {
    static let relation = HandBuiltRows.docs()

    /// An update that moved row 1 to id 2 and left its TOASTed `body` alone (the old key holds only `id`).
    static let moved = HandBuiltRows.change(
        .update, relation, old: HandBuiltRows.row(relation, [.text("1"), .null, .null, .null], keyOnly: true),
        new: HandBuiltRows.row(relation, [.text("2"), .text("secret title"), .unchangedToast, .null]))

    struct Doc: Decodable {
        var id: Int
        var title: String?
        var body: String?
        var note: String?
    }

    @Test func aKeyChangeNamesTheOldKeyAndTheColumnsItCarries() throws {
        let change = Self.moved
        #expect(change.keyChanged)
        #expect(change.oldKey.map(\.name) == ["id"])
        #expect(change.oldKey.map(\.value) == [.int(1)])
        #expect(change.key.map(\.value) == [.int(2)])
        #expect(change.presentColumns.map(\.name) == ["id", "title", "note"])
        #expect(change.presentColumns.map(\.value) == [.int(2), .text("secret title"), .null])
    }

    @Test func anUpdateUnderTheSameKeyAndADeleteFindTheStoredRowByTheirKey() {
        let updated = HandBuiltRows.change(
            .update, Self.relation, new: HandBuiltRows.row(Self.relation, [.text("5"), .text("t"), .null, .null]))
        #expect(!updated.keyChanged)
        #expect(updated.oldKey.map(\.value) == [.int(5)])
        let deleted = HandBuiltRows.change(
            .delete, Self.relation, old: HandBuiltRows.row(Self.relation, [.text("9"), .null, .null, .null], keyOnly: true))
        #expect(!deleted.keyChanged)
        #expect(deleted.oldKey.map(\.value) == [.int(9)])
        #expect(deleted.key.map(\.value) == [.int(9)])
        #expect(deleted.presentColumns.map(\.name) == ["id"])
    }

    @Test func rowAndResolvedRowReadAlike() throws {
        let resolved = try #require(Self.moved.resolved)
        let new = try #require(Self.moved.new)
        #expect(try resolved["title"].as(String.self) == "secret title")
        #expect(try new["title"].as(String.self) == "secret title")
        #expect(resolved[column: "body"] == .unchangedToast)
        #expect(new[column: "body"] == .unchangedToast)
        #expect(resolved[column: "nope"] == nil)
        #expect(!resolved.isPresent(column: "body") && !new.isPresent(column: "body"))
        #expect(resolved.isPresent(column: "note"))
        #expect(!resolved["body"].isPresent)
        #expect(throws: PostgresValueError.self) { try resolved["nope"].as(String.self) }
        // Code that takes `some RowValues` reads either.
        func names(_ row: some RowValues) -> [String] { row.presentColumns.map(\.name) }
        #expect(names(resolved) == names(new))
    }

    @Test func decodePresentLeavesWhatTheChangeDoesNotCarryNil() throws {
        let resolved = try #require(Self.moved.resolved)
        #expect(throws: DecodingError.self) { try resolved.decode(Doc.self) }
        let doc = try resolved.decodePresent(Doc.self)
        #expect(doc.id == 2 && doc.title == "secret title" && doc.body == nil && doc.note == nil)
    }

    @Test func descriptionsNameTablesAndColumnsButNeverValues() {
        #expect("\([Self.relation])" == "[public.docs]")
        #expect("\(Self.relation.columns[0])" == "id (type 23, primary key, replica identity)")
        let text = "\(Self.moved)"
        #expect(text == "update public.docs (commit 0/100, #0): id, title, note; key changed; not carried: body")
        #expect(!text.contains("secret"))
    }

    @Test func checkpointsAndLSNsRoundTripThroughTextAndCodable() throws {
        let checkpoint = Checkpoint(lsn: LSN(0x16B_3748), slot: "app \"slot\"", systemIdentifier: "7350", timeline: 2)
        #expect(checkpoint.description == #"{"lsn":"0/16B3748","slot":"app \"slot\"","system_identifier":"7350","timeline":2}"#)
        #expect(Checkpoint(checkpoint.description) == checkpoint)
        #expect(Checkpoint("not a checkpoint") == nil)
        let json = try JSONEncoder().encode(checkpoint)
        #expect(try JSONDecoder().decode(Checkpoint.self, from: json) == checkpoint)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        #expect(String(decoding: try encoder.encode(LSN(0x16B_3748)), as: UTF8.self) == #""0/16B3748""#)
        #expect(try JSONDecoder().decode(LSN.self, from: Data("23803720".utf8)) == LSN(0x16B_3748))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(LSN.self, from: Data(#""16B3748""#.utf8)) }
        #expect(LSN(LSN(0x1_0000_00FF).description) == LSN(0x1_0000_00FF))
    }
}
