@testable import PGOutput

/// Builds protocol bytes for tests: the inverse of the decoder, written independently of it.
struct MessageEncoder {
    var bytes: [UInt8] = []

    mutating func byte(_ value: UInt8) { bytes.append(value) }
    mutating func tag(_ character: Character) { bytes.append(character.asciiValue ?? 0) }
    mutating func int16(_ value: Int16) { append(UInt64(UInt16(bitPattern: value)), width: 2) }
    mutating func int32(_ value: Int32) { append(UInt64(UInt32(bitPattern: value)), width: 4) }
    mutating func uint32(_ value: UInt32) { append(UInt64(value), width: 4) }
    mutating func int64(_ value: Int64) { append(UInt64(bitPattern: value), width: 8) }
    mutating func uint64(_ value: UInt64) { append(value, width: 8) }
    mutating func cString(_ text: String) { bytes.append(contentsOf: text.utf8); bytes.append(0) }
    mutating func raw(_ data: [UInt8]) { bytes.append(contentsOf: data) }

    private mutating func append(_ value: UInt64, width: Int) {
        for shift in stride(from: (width - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    /// TupleData from column values: `nil` = NULL, `.some(nil)`… kept simple with an enum.
    enum Value {
        case null, unchanged
        case text(String)
        case binary([UInt8])
    }

    mutating func tuple(_ values: [Value]) {
        int16(Int16(values.count))
        for value in values {
            switch value {
            case .null: tag("n")
            case .unchanged: tag("u")
            case let .text(text):
                tag("t")
                int32(Int32(text.utf8.count))
                bytes.append(contentsOf: text.utf8)
            case let .binary(data):
                tag("b")
                int32(Int32(data.count))
                bytes.append(contentsOf: data)
            }
        }
    }

    static func build(_ body: (inout MessageEncoder) -> Void) -> [UInt8] {
        var encoder = MessageEncoder()
        body(&encoder)
        return encoder.bytes
    }
}

/// One valid example of every pgoutput v1 message, for round trips and for truncation/mutation tests.
enum Fixtures {
    static let begin = MessageEncoder.build { e in
        e.tag("B"); e.uint64(0x1_0000_0100); e.int64(817_000_000_000_000); e.uint32(750)
    }
    static let commit = MessageEncoder.build { e in
        e.tag("C"); e.byte(0); e.uint64(0x1_0000_0100); e.uint64(0x1_0000_0130); e.int64(817_000_000_000_000)
    }
    static let origin = MessageEncoder.build { e in
        e.tag("O"); e.uint64(0xABCDEF); e.cString("node_b")
    }
    static let relation = MessageEncoder.build { e in
        e.tag("R"); e.uint32(16_385); e.cString("public"); e.cString("users"); e.tag("d"); e.int16(3)
        e.byte(1); e.cString("id"); e.uint32(23); e.int32(-1)
        e.byte(0); e.cString("name"); e.uint32(25); e.int32(-1)
        e.byte(0); e.cString("amount"); e.uint32(1700); e.int32(655_366)
    }
    static let type = MessageEncoder.build { e in
        e.tag("Y"); e.uint32(16_400); e.cString("public"); e.cString("mood")
    }
    static let insert = MessageEncoder.build { e in
        e.tag("I"); e.uint32(16_385); e.tag("N"); e.tuple([.text("1"), .text("ada"), .null])
    }
    static let updateWithKey = MessageEncoder.build { e in
        e.tag("U"); e.uint32(16_385); e.tag("K"); e.tuple([.text("1"), .null, .null]); e.tag("N");
        e.tuple([.text("2"), .text("ada"), .unchanged])
    }
    static let updateWithOld = MessageEncoder.build { e in
        e.tag("U"); e.uint32(16_385); e.tag("O"); e.tuple([.text("1"), .text("a"), .text("3.5")]); e.tag("N");
        e.tuple([.text("1"), .text("b"), .binary([0, 1])])
    }
    static let updateNewOnly = MessageEncoder.build { e in
        e.tag("U"); e.uint32(16_385); e.tag("N"); e.tuple([.text("1"), .text("b"), .null])
    }
    static let deleteKey = MessageEncoder.build { e in
        e.tag("D"); e.uint32(16_385); e.tag("K"); e.tuple([.text("2"), .null, .null])
    }
    static let deleteOld = MessageEncoder.build { e in
        e.tag("D"); e.uint32(16_385); e.tag("O"); e.tuple([.text("2"), .text("x"), .text("1")])
    }
    static let truncate = MessageEncoder.build { e in
        e.tag("T"); e.int32(2); e.byte(3); e.uint32(16_385); e.uint32(16_390)
    }
    static let message = MessageEncoder.build { e in
        e.tag("M"); e.byte(1); e.uint64(0x2000); e.cString("audit"); e.int32(5); e.raw(Array("hello".utf8))
    }

    // Protocol v2–v4.
    static let streamStart = MessageEncoder.build { e in
        e.tag("S"); e.uint32(900); e.byte(1)
    }
    static let streamStop = MessageEncoder.build { e in e.tag("E") }
    static let streamCommit = MessageEncoder.build { e in
        e.tag("c"); e.uint32(900); e.byte(0); e.uint64(0x3000); e.uint64(0x3030); e.int64(817_000_000_000_001)
    }
    static let streamAbort = MessageEncoder.build { e in
        e.tag("A"); e.uint32(900); e.uint32(901)
    }
    static let streamAbortV4 = MessageEncoder.build { e in
        e.tag("A"); e.uint32(900); e.uint32(900); e.uint64(0x3100); e.int64(817_000_000_000_002)
    }
    static let beginPrepare = MessageEncoder.build { e in
        e.tag("b"); e.uint64(0x4000); e.uint64(0x4040); e.int64(817_000_000_000_003); e.uint32(910); e.cString("tx-1")
    }
    static let prepare = MessageEncoder.build { e in
        e.tag("P"); e.byte(0); e.uint64(0x4000); e.uint64(0x4040); e.int64(817_000_000_000_003); e.uint32(910); e.cString("tx-1")
    }
    static let commitPrepared = MessageEncoder.build { e in
        e.tag("K"); e.byte(0); e.uint64(0x5000); e.uint64(0x5050); e.int64(817_000_000_000_004); e.uint32(910); e.cString("tx-1")
    }
    static let rollbackPrepared = MessageEncoder.build { e in
        e.tag("r"); e.byte(0); e.uint64(0x4040); e.uint64(0x6060); e.int64(817_000_000_000_003); e.int64(817_000_000_000_005);
        e.uint32(910); e.cString("tx-1")
    }
    static let streamPrepare = MessageEncoder.build { e in
        e.tag("p"); e.byte(0); e.uint64(0x7000); e.uint64(0x7070); e.int64(817_000_000_000_006); e.uint32(920); e.cString("tx-2")
    }

    static let all: [(String, [UInt8])] = [
        ("Begin", begin), ("Commit", commit), ("Origin", origin), ("Relation", relation), ("Type", type),
        ("Insert", insert), ("Update K", updateWithKey), ("Update O", updateWithOld), ("Update N", updateNewOnly),
        ("Delete K", deleteKey), ("Delete O", deleteOld), ("Truncate", truncate), ("Message", message),
        ("Stream Start", streamStart), ("Stream Stop", streamStop), ("Stream Commit", streamCommit), ("Stream Abort", streamAbort),
        ("Begin Prepare", beginPrepare), ("Prepare", prepare), ("Commit Prepared", commitPrepared),
        ("Rollback Prepared", rollbackPrepared), ("Stream Prepare", streamPrepare),
    ]
}
