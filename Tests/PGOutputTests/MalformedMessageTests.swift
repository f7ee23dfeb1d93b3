import Testing
@testable import PGOutput

/// Bad input gets a typed error naming the message and the byte offset — never a trap.
@Suite struct MalformedMessageTests {
    @Test(arguments: Fixtures.all.map(\.0))
    func everyMessageTruncatedAtEveryLengthThrows(name: String) throws {
        let bytes = try #require(Fixtures.all.first { $0.0 == name }?.1)
        _ = try LogicalMessage.decode(bytes[...])
        for length in 0..<bytes.count {
            do {
                _ = try LogicalMessage.decode(bytes[0..<length])
                Issue.record("\(name) cut to \(length) bytes decoded")
            } catch let error {
                switch error {
                case .truncated(_, let offset, _, _), .malformed(_, let offset, _):
                    #expect(offset <= length, "\(name) at \(length): \(error)")
                default:
                    Issue.record("\(name) cut to \(length) bytes: unexpected \(error)")
                }
            }
        }
    }

    @Test(arguments: Fixtures.all.map(\.0))
    func everyMessageWithATrailingByteIsMalformed(name: String) throws {
        let bytes = try #require(Fixtures.all.first { $0.0 == name }?.1) + [0]
        #expect {
            try LogicalMessage.decode(bytes[...])
        } throws: { error in
            guard case let .malformed(_, offset, reason)? = error as? PGOutputError else { return false }
            return offset == bytes.count - 1 && reason == "1 trailing bytes"
        }
    }

    @Test func truncationErrorNamesTheMessageAndOffset() {
        let cut = Fixtures.begin.prefix(10)
        #expect(throws: PGOutputError.truncated(message: "Begin ('B')", offset: 9, needed: 8, available: 1)) {
            try LogicalMessage.decode(cut[...])
        }
        #expect(
            "\(PGOutputError.truncated(message: "Begin ('B')", offset: 9, needed: 8, available: 1))"
                == "truncated Begin ('B') message at byte offset 9: needed 8 more bytes, 1 left")
    }

    @Test func unknownPgoutputTagIsNamed() {
        #expect(throws: PGOutputError.unknownMessageType(layer: "pgoutput", tag: UInt8(ascii: "Z"), offset: 0)) {
            try LogicalMessage.decode([UInt8(ascii: "Z"), 1, 2][...])
        }
        #expect(
            "\(PGOutputError.unknownMessageType(layer: "pgoutput", tag: 0x5A, offset: 0))"
                == "unknown pgoutput message type 'Z' (0x5A) at byte offset 0")
        #expect(
            "\(PGOutputError.unknownMessageType(layer: "pgoutput", tag: 0x01, offset: 0))"
                == "unknown pgoutput message type 0x01 at byte offset 0")
    }

    @Test func unknownTupleColumnKindIsNamedWithItsOffset() {
        let bytes = MessageEncoder.build { e in
            e.tag("I"); e.uint32(1); e.tag("N"); e.int16(1); e.tag("x")
        }
        #expect(throws: PGOutputError.unknownMessageType(layer: "TupleData column", tag: UInt8(ascii: "x"), offset: 8)) {
            try LogicalMessage.decode(bytes[...])
        }
    }

    @Test func unknownUpdateMarkerIsNotConfusedWithOtherLayers() {
        // 'O' is Origin in the pgoutput layer, the old tuple inside Update; 'R' means nothing inside Update.
        let bytes = MessageEncoder.build { e in
            e.tag("U"); e.uint32(1); e.tag("R")
        }
        #expect(throws: PGOutputError.unknownMessageType(layer: "Update tuple marker", tag: UInt8(ascii: "R"), offset: 5)) {
            try LogicalMessage.decode(bytes[...])
        }
        let deleteWithNew = MessageEncoder.build { e in
            e.tag("D"); e.uint32(1); e.tag("N"); e.tuple([.text("1")])
        }
        #expect(throws: PGOutputError.self) { try LogicalMessage.decode(deleteWithNew[...]) }
        let insertWithKey = MessageEncoder.build { e in
            e.tag("I"); e.uint32(1); e.tag("K"); e.tuple([.text("1")])
        }
        #expect(throws: PGOutputError.self) { try LogicalMessage.decode(insertWithKey[...]) }
    }

    @Test func unknownReplicaIdentityIsNamed() {
        let bytes = MessageEncoder.build { e in
            e.tag("R"); e.uint32(1); e.cString("s"); e.cString("t"); e.tag("q"); e.int16(0)
        }
        #expect(throws: PGOutputError.unknownMessageType(layer: "Relation replica identity", tag: UInt8(ascii: "q"), offset: 9)) {
            try LogicalMessage.decode(bytes[...])
        }
    }

    @Test func negativeValueLengthIsMalformed() {
        let bytes = MessageEncoder.build { e in
            e.tag("I"); e.uint32(1); e.tag("N"); e.int16(1); e.tag("t"); e.int32(-5)
        }
        #expect(throws: PGOutputError.malformed(message: "Insert ('I')", offset: 9, reason: "negative length -5")) {
            try LogicalMessage.decode(bytes[...])
        }
    }

    @Test func hugeLengthsThrowBeforeAllocating() {
        let value = MessageEncoder.build { e in
            e.tag("I"); e.uint32(1); e.tag("N"); e.int16(1); e.tag("t"); e.int32(Int32.max)
        }
        #expect(throws: PGOutputError.truncated(message: "Insert ('I')", offset: 13, needed: Int(Int32.max), available: 0)) {
            try LogicalMessage.decode(value[...])
        }
        let columns = MessageEncoder.build { e in
            e.tag("I"); e.uint32(1); e.tag("N"); e.int16(30_000); e.tag("n")
        }
        #expect(throws: PGOutputError.self) { try LogicalMessage.decode(columns[...]) }
        let relations = MessageEncoder.build { e in
            e.tag("T"); e.int32(Int32.max); e.byte(0); e.uint32(1)
        }
        #expect(throws: PGOutputError.self) { try LogicalMessage.decode(relations[...]) }
        let relationColumns = MessageEncoder.build { e in
            e.tag("R"); e.uint32(1); e.cString("s"); e.cString("t"); e.tag("d"); e.int16(Int16.max)
        }
        #expect(throws: PGOutputError.self) { try LogicalMessage.decode(relationColumns[...]) }
    }

    @Test func negativeCountsAreMalformed() {
        let tuple = MessageEncoder.build { e in
            e.tag("I"); e.uint32(1); e.tag("N"); e.int16(-1)
        }
        #expect(throws: PGOutputError.malformed(message: "Insert ('I')", offset: 6, reason: "negative column count -1")) {
            try LogicalMessage.decode(tuple[...])
        }
        let truncate = MessageEncoder.build { e in
            e.tag("T"); e.int32(-2); e.byte(0)
        }
        #expect(throws: PGOutputError.malformed(message: "Truncate ('T')", offset: 1, reason: "negative relation count -2")) {
            try LogicalMessage.decode(truncate[...])
        }
    }

    @Test func invalidUTF8InNamesIsRejected() {
        let relation = MessageEncoder.build { e in
            e.tag("R"); e.uint32(1); e.cString("public"); e.raw([0x74, 0xC3, 0x28, 0]); e.tag("d"); e.int16(0)
        }
        #expect(throws: PGOutputError.invalidUTF8(message: "Relation ('R')", offset: 12)) {
            try LogicalMessage.decode(relation[...])
        }
        let column = MessageEncoder.build { e in
            e.tag("R"); e.uint32(1); e.cString("s"); e.cString("t"); e.tag("d"); e.int16(1); e.byte(0); e.raw([0xFF, 0]); e.uint32(23);
            e.int32(-1)
        }
        #expect(throws: PGOutputError.invalidUTF8(message: "Relation ('R')", offset: 13)) {
            try LogicalMessage.decode(column[...])
        }
        let prefix = MessageEncoder.build { e in
            e.tag("M"); e.byte(0); e.uint64(1); e.raw([0xED, 0xA0, 0x80, 0]); e.int32(0)
        }
        #expect(throws: PGOutputError.invalidUTF8(message: "Message ('M')", offset: 10)) {
            try LogicalMessage.decode(prefix[...])
        }
    }

    @Test func unterminatedStringIsTruncated() {
        let bytes = MessageEncoder.build { e in
            e.tag("O"); e.uint64(1); e.raw(Array("abc".utf8))
        }
        #expect(throws: PGOutputError.truncated(message: "Origin ('O')", offset: 9, needed: 4, available: 3)) {
            try LogicalMessage.decode(bytes[...])
        }
    }
}
