import Testing
@testable import PGOutput

@Suite struct CopyBothTests {
    @Test func xLogDataKeepsItsPayloadWithoutCopying() throws {
        let bytes = MessageEncoder.build { e in
            e.tag("w"); e.uint64(0x10); e.uint64(0x20); e.int64(99); e.raw(Fixtures.insert)
        }
        guard case let .xLogData(data) = try ReplicationMessage.decode(bytes[...]) else {
            Issue.record("expected XLogData")
            return
        }
        #expect(data.walStart == LSN(0x10))
        #expect(data.walEnd == LSN(0x20))
        #expect(data.serverTime == PostgresTimestamp(microsecondsSince2000: 99))
        #expect(Array(data.data) == Fixtures.insert)
        #expect(data.data.startIndex == 25)
    }

    @Test func keepaliveReadsReplyRequest() throws {
        for flag: UInt8 in [0, 1] {
            let bytes = MessageEncoder.build { e in
                e.tag("k"); e.uint64(0x1234); e.int64(5); e.byte(flag)
            }
            guard case let .primaryKeepalive(keepalive) = try ReplicationMessage.decode(bytes[...]) else {
                Issue.record("expected a keepalive")
                return
            }
            #expect(
                keepalive
                    == PrimaryKeepalive(
                        walEnd: LSN(0x1234), serverTime: PostgresTimestamp(microsecondsSince2000: 5), replyRequested: flag == 1))
        }
    }

    @Test func keepaliveWithTrailingBytesIsMalformed() {
        let bytes = MessageEncoder.build { e in
            e.tag("k"); e.uint64(1); e.int64(5); e.byte(0); e.byte(7)
        }
        #expect(throws: PGOutputError.malformed(message: "primary keepalive ('k')", offset: 18, reason: "1 trailing bytes")) {
            try ReplicationMessage.decode(bytes[...])
        }
    }

    @Test func unknownCopyBothTagIsNamedWithItsLayer() {
        // 'r' is a status update, which only the client sends: unknown in this direction.
        #expect(throws: PGOutputError.unknownMessageType(layer: "CopyBoth", tag: UInt8(ascii: "r"), offset: 0)) {
            try ReplicationMessage.decode([UInt8(ascii: "r"), 0, 0][...])
        }
    }

    @Test func truncatedXLogDataHeaderThrowsWithOffset() {
        let bytes = MessageEncoder.build { e in
            e.tag("w"); e.uint64(0x10); e.uint32(0)
        }
        #expect(throws: PGOutputError.truncated(message: "XLogData ('w')", offset: 9, needed: 8, available: 4)) {
            try ReplicationMessage.decode(bytes[...])
        }
    }

    @Test func standbyStatusUpdateIs34BigEndianBytes() {
        let update = StandbyStatusUpdate(
            writeLSN: LSN(0x0102_0304_0506_0708), flushLSN: LSN(0x10), applyLSN: LSN(0x20),
            clientTime: PostgresTimestamp(microsecondsSince2000: -1), replyRequested: true
        )
        let bytes = update.encode()
        #expect(bytes.count == 34)
        #expect(bytes[0] == UInt8(ascii: "r"))
        #expect(Array(bytes[1...8]) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(Array(bytes[9...16]) == [0, 0, 0, 0, 0, 0, 0, 0x10])
        #expect(Array(bytes[17...24]) == [0, 0, 0, 0, 0, 0, 0, 0x20])
        #expect(Array(bytes[25...32]) == [UInt8](repeating: 0xFF, count: 8))
        #expect(bytes[33] == 1)
    }
}
