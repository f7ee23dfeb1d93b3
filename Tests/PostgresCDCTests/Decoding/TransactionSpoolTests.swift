import Testing
@testable import PostgresCDC
@testable import PostgresCDCEvents
import PGOutput

/// The spool of a streamed transaction: order kept across memory and file, subtransactions cut.
@Suite struct TransactionSpoolTests {
    /// A fake message: a tag byte and a number, enough to tell entries apart.
    static func message(_ tag: Character, _ number: Int) -> [UInt8] {
        [UInt8(ascii: tag.unicodeScalars.first ?? "I")] + Array("\(number)".utf8)
    }

    static func contents(_ spool: TransactionSpool) throws -> [String] {
        var reader = TransactionSpool.Reader(spool)
        var out: [String] = []
        while let entry = try reader.next() {
            out.append("\(String(decoding: entry.message, as: UTF8.self))@\(entry.subtransaction)/\(entry.lsn.value)")
        }
        return out
    }

    @Test func entriesComeBackInOrderAcrossFileAndMemory() throws {
        let spool = TransactionSpool(xid: 7, spillDirectory: "/tmp")
        var expected: [String] = []
        for number in 0..<3000 {
            let bytes = Self.message("I", number) + Array(repeating: UInt8(ascii: "x"), count: number % 700)
            spool.append(bytes[...], subtransaction: 7, lsn: LSN(UInt64(number)))
            expected.append("\(String(decoding: bytes, as: UTF8.self))@7/\(number)")
            if number % 1000 == 999 { try spool.spill() }
        }
        #expect(spool.hasSpilled)
        #expect(spool.memoryCost == 0)
        spool.append(Self.message("I", 9999)[...], subtransaction: 7, lsn: LSN(9999))
        expected.append("I9999@7/9999")
        #expect(try Self.contents(spool) == expected)
    }

    @Test func abortedSubtransactionIsCutWhetherInFileOrMemoryButRelationsStay() throws {
        for spillBeforeAbort in [false, true] {
            let spool = TransactionSpool(xid: 1, spillDirectory: "/tmp")
            spool.append(Self.message("I", 1)[...], subtransaction: 1, lsn: LSN(1))
            spool.append(Self.message("I", 2)[...], subtransaction: 2, lsn: LSN(2))
            spool.append(Self.message("R", 3)[...], subtransaction: 2, lsn: LSN(3))
            spool.append(Self.message("I", 4)[...], subtransaction: 3, lsn: LSN(4))
            if spillBeforeAbort { try spool.spill() }
            try spool.discard(subtransaction: 2)
            spool.append(Self.message("I", 5)[...], subtransaction: 1, lsn: LSN(5))
            #expect(try Self.contents(spool) == ["I1@1/1", "R3@1/3", "I5@1/5"])
            // A subtransaction without changes, or one already cut, changes nothing.
            try spool.discard(subtransaction: 3)
            try spool.discard(subtransaction: 42)
            #expect(try Self.contents(spool) == ["I1@1/1", "R3@1/3", "I5@1/5"])
        }
    }

    @Test func inProgressSetSpillsTheLargestPastItsBound() throws {
        let set = InProgressTransactions(memoryLimit: 3 << 20, spillDirectory: "/tmp")
        let payload = [UInt8](repeating: 1, count: 1000)
        for number in 0..<4000 {
            try set.append(
                payload[...], xid: number % 2 == 0 ? 10 : 11, subtransaction: number % 2 == 0 ? 10 : 11, lsn: LSN(UInt64(number)))
            #expect(set.memoryInUse <= 3 << 20)
        }
        #expect(set.spillCount > 0)
        try set.abort(11, subtransaction: 11)
        let committed = try #require(set.commit(10))
        #expect(try Self.contents(committed).count == 2000)
        #expect(set.commit(11) == nil)
        #expect(set.count == 0)
    }
}
