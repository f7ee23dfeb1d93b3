import Testing
@testable import PostgresCDC

/// What a row says about each column: present or not, and its text (no server).
@Suite struct RowTests {
    @Test func presenceAndTextFollowHowTheColumnArrived() {
        let docs = HandBuiltRows.docs()
        let new = HandBuiltRows.row(docs, [.text("1"), .text("a"), .unchangedToast, .null])
        #expect((0..<5).map { new.isPresent($0) } == [true, true, false, true, false])
        #expect((0..<4).map { new.text(at: $0) } == ["1", "a", nil, nil])
        #expect(new.value(at: 2) == .unchangedToast)
        #expect(new.text(at: -1) == nil)
    }

    @Test func anOldKeyPresentsOnlyItsKeyColumns() {
        let docs = HandBuiltRows.docs()
        let old = HandBuiltRows.row(docs, [.text("1"), .null, .null, .null], keyOnly: true)
        #expect((0..<4).map { old.isPresent($0) } == [true, false, false, false])
        #expect(old.text(at: 0) == "1")
        #expect(old.text(at: 1) == nil)
    }
}
