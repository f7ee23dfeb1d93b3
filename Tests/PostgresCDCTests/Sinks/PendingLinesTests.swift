import PGOutput
import Testing
@testable import PostgresCDC

/// Handing a prefix of the pending lines over keeps every descriptor on its line (no server).
@Suite struct PendingLinesTests {
    /// Appends `text` and a newline as one line of `kind`.
    static func append(_ text: String, _ kind: LineDescriptor.Kind, to pending: inout PendingLines) {
        pending.buffer.appendRaw(Array((text + "\n").utf8))
        pending.lines.append(LineDescriptor(end: pending.count, kind: kind, commitLSN: LSN(0x10)))
    }

    static func texts(_ batch: SinkBatch) -> [String] {
        var result: [String] = []
        batch.forEachLine { line, descriptor in result.append("\(descriptor.kind):" + String(decoding: line, as: UTF8.self)) }
        return result
    }

    @Test func theTransactionAfterTheBoundaryStaysDescribedAfterTheHandOver() {
        var pending = PendingLines()
        Self.append("row 1", .insert, to: &pending)
        Self.append("commit 1", .commit, to: &pending)
        pending.markBoundary()
        Self.append("row 2", .insert, to: &pending)
        Self.append("row 3", .update, to: &pending)

        let first = pending.batch(upTo: pending.boundaryCount, position: LSN(0x20))
        #expect(first.endsAtTransactionBoundary && first.isDescribed)
        #expect(Self.texts(first) == ["insert:row 1", "commit:commit 1"])
        pending.drop(upTo: pending.boundaryCount)

        // The open transaction moved to the front, its descriptors with it.
        #expect(pending.boundaryCount == 0)
        Self.append("commit 2", .commit, to: &pending)
        pending.markBoundary()
        let second = pending.batch(upTo: pending.count, position: LSN(0x30))
        #expect(second.isDescribed && second.endsAtTransactionBoundary)
        #expect(Self.texts(second) == ["insert:row 2", "update:row 3", "commit:commit 2"])
        pending.drop(upTo: pending.count)
        #expect(pending.count == 0 && pending.lines.isEmpty)
    }

    @Test func aLargeTransactionHandedOverWholeIsNotAtABoundary() {
        var pending = PendingLines()
        Self.append("row 1", .insert, to: &pending)
        let batch = pending.batch(upTo: pending.count, position: .zero)
        #expect(!batch.endsAtTransactionBoundary && batch.isDescribed)
        pending.drop(upTo: pending.count)
        Self.append("commit", .commit, to: &pending)
        pending.markBoundary()
        #expect(Self.texts(pending.batch(upTo: pending.boundaryCount, position: LSN(0x20))) == ["commit:commit"])
    }
}
