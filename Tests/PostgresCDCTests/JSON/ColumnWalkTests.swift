import Testing
@testable import PostgresCDC

/// The one column walk both encoders write rows from (no server).
@Suite struct ColumnWalkTests {
    /// What the walk yields, readable: `name=value`, `name=NULL`, `name absent`, `name unchanged`.
    /// `nil` when the change has no such row.
    static func walked(_ change: RowChange, new: Bool) -> [String]? {
        guard let row = new ? change.new : change.old else { return nil }
        var walked: [String] = []
        var walk = ColumnWalk(row)
        while let (index, content) = walk.next(row, old: new ? change.old : nil) {
            let name = change.relation.columns[index].name
            switch content {
            case .absent: walked.append("\(name) absent")
            case .unchangedToast: walked.append("\(name) unchanged")
            case .sent(.null): walked.append("\(name)=NULL")
            case let .sent(.text(bytes)): walked.append("\(name)=\(String(decoding: bytes, as: UTF8.self))")
            case let .sent(.binary(bytes)): walked.append("\(name)=\(bytes.count) bytes")
            }
        }
        return walked
    }

    @Test func everyColumnOfANewRowComesWithWhatTheServerSent() {
        let docs = HandBuiltRows.docs()
        let change = HandBuiltRows.change(.insert, docs, new: HandBuiltRows.row(docs, [.text("1"), .text("a"), .null, .text("n")]))
        #expect(Self.walked(change, new: true) == ["id=1", "title=a", "body=NULL", "note=n"])
        #expect(Self.walked(change, new: false) == nil)
    }

    @Test func unchangedToastWithoutAnOldRowStaysUnchanged() {
        let docs = HandBuiltRows.docs()
        let new = HandBuiltRows.row(docs, [.text("1"), .text("b"), .unchangedToast, .null])
        let change = HandBuiltRows.change(.update, docs, new: new)
        #expect(Self.walked(change, new: true) == ["id=1", "title=b", "body unchanged", "note=NULL"])
    }

    @Test func unchangedToastIsTakenFromAFullOldRowThatHasIt() {
        let docs = HandBuiltRows.docs(replicaIdentity: .full)
        let old = HandBuiltRows.row(docs, [.text("1"), .text("a"), .text("long body"), .null])
        let new = HandBuiltRows.row(docs, [.text("1"), .text("b"), .unchangedToast, .null])
        let change = HandBuiltRows.change(.update, docs, old: old, new: new)
        #expect(Self.walked(change, new: true) == ["id=1", "title=b", "body=long body", "note=NULL"])
        #expect(Self.walked(change, new: false) == ["id=1", "title=a", "body=long body", "note=NULL"])
    }

    @Test func unchangedToastStaysUnchangedWhenTheOldRowLacksItToo() {
        let docs = HandBuiltRows.docs(replicaIdentity: .full)
        let old = HandBuiltRows.row(docs, [.text("1"), .text("a"), .unchangedToast, .null])
        let new = HandBuiltRows.row(docs, [.text("1"), .text("b"), .unchangedToast, .null])
        let change = HandBuiltRows.change(.update, docs, old: old, new: new)
        #expect(Self.walked(change, new: true) == ["id=1", "title=b", "body unchanged", "note=NULL"])
        #expect(Self.walked(change, new: false) == ["id=1", "title=a", "body unchanged", "note=NULL"])
    }

    @Test func anOldKeyCarriesOnlyItsKeyColumns() {
        let docs = HandBuiltRows.docs()
        // pgoutput sends an old key as a full-width tuple with NULL in the non-key columns.
        let old = HandBuiltRows.row(docs, [.text("1"), .null, .null, .null], keyOnly: true)
        let change = HandBuiltRows.change(.delete, docs, old: old)
        #expect(Self.walked(change, new: false) == ["id=1", "title absent", "body absent", "note absent"])
        #expect(Self.walked(change, new: true) == nil)
    }

    @Test func anOldKeyLendsNoValueForANonKeyColumn() {
        let docs = HandBuiltRows.docs()
        let old = HandBuiltRows.row(docs, [.text("1"), .null, .null, .null], keyOnly: true)
        let new = HandBuiltRows.row(docs, [.text("2"), .text("b"), .unchangedToast, .null])
        let change = HandBuiltRows.change(.update, docs, old: old, new: new)
        #expect(Self.walked(change, new: true) == ["id=2", "title=b", "body unchanged", "note=NULL"])
    }

    @Test func anOldKeyLendsTheValueOfAnUnchangedToastedKeyColumn() {
        // The server logs the old key when a key column is stored out of line, even if the update
        // left the key alone: the new row's unchanged TOAST key takes its value from there.
        let docs = HandBuiltRows.docs()
        let old = HandBuiltRows.row(docs, [.text("1"), .null, .null, .null], keyOnly: true)
        let new = HandBuiltRows.row(docs, [.unchangedToast, .text("b"), .unchangedToast, .null])
        let change = HandBuiltRows.change(.update, docs, old: old, new: new)
        #expect(Self.walked(change, new: true) == ["id=1", "title=b", "body unchanged", "note=NULL"])
    }

    @Test func filteredColumnsAreSkippedInEveryRow() {
        let docs = HandBuiltRows.docs(replicaIdentity: .full, excluded: ["body", "id"])
        let old = HandBuiltRows.row(docs, [.text("1"), .text("a"), .text("x"), .null])
        let new = HandBuiltRows.row(docs, [.text("1"), .text("b"), .unchangedToast, .text("n")])
        let change = HandBuiltRows.change(.update, docs, old: old, new: new)
        #expect(Self.walked(change, new: true) == ["title=b", "note=n"])
        #expect(Self.walked(change, new: false) == ["title=a", "note=NULL"])
        #expect(docs.keyColumnNames == [])
    }

    @Test func aTupleNarrowerThanItsRelationEndsTheWalkWithoutTrapping() {
        let docs = HandBuiltRows.docs()
        let new = HandBuiltRows.row(docs, [.text("1"), .text("a")])
        #expect(Self.walked(HandBuiltRows.change(.insert, docs, new: new), new: true) == ["id=1", "title=a"])
        #expect(new.content(at: 5).isAbsent)
        #expect(new.content(at: -1).isAbsent)
    }
}

extension Row.Content {
    var isAbsent: Bool {
        if case .absent = self { return true }
        return false
    }
}
