import Testing
@testable import PostgresCDC

@Suite struct SnapshotPieceTests {
    @Test func aLargeTableSplitsIntoPageRangesThatCoverItOnceAndEndOpen() {
        let pieces = SnapshotPiece.pieces(ofTable: 2, pages: 100_000, jobs: 3)
        #expect(pieces.count == 12)
        #expect(pieces.first?.firstPage == nil && pieces.last?.endPage == nil)
        for (left, right) in zip(pieces, pieces.dropFirst()) { #expect(left.endPage == right.firstPage) }
        #expect(pieces.allSatisfy { $0.table == 2 })
        #expect(pieces[0].condition == "ctid < '(8334,0)'::tid")
        #expect(pieces[1].condition == "ctid >= '(8334,0)'::tid AND ctid < '(16668,0)'::tid")
        #expect(pieces[11].condition == "ctid >= '(91674,0)'::tid")
    }

    @Test func smallTablesAndOneJobCopyWholeTables() {
        #expect(SnapshotPiece.pieces(ofTable: 0, pages: 100_000, jobs: 1) == [SnapshotPiece(table: 0)])
        #expect(SnapshotPiece.pieces(ofTable: 0, pages: 2 * SnapshotPiece.minimumPages - 1, jobs: 4) == [SnapshotPiece(table: 0)])
        #expect(SnapshotPiece.pieces(ofTable: 0, pages: 2 * SnapshotPiece.minimumPages, jobs: 4).count == 2)
        #expect(SnapshotPiece(table: 0).condition == nil)
    }
}
