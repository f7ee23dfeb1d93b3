import Testing
@testable import PGOutput

/// Thousands of corrupted messages, from a seeded generator so a failure repeats: each either
/// decodes or throws `PGOutputError`; none traps (a trap would end the test process).
@Suite struct MutationTests {
    /// SplitMix64: small, fast, deterministic.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func mutatedMessagesDecodeOrThrowButNeverTrap() {
        var random = SeededGenerator(state: 20_261_125)
        var decoded = 0
        var rejected = 0
        for round in 0..<20_000 {
            var bytes = Fixtures.all[round % Fixtures.all.count].1
            switch random.next() % 4 {
            case 0:  // flip bytes
                for _ in 0...(random.next() % 3) {
                    bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
                }
            case 1:  // cut
                bytes = Array(bytes.prefix(Int(random.next() % UInt64(bytes.count))))
            case 2:  // insert garbage
                let at = Int(random.next() % UInt64(bytes.count + 1))
                bytes.insert(contentsOf: (0..<(random.next() % 6)).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: at)
            default:  // huge lengths where a length might be
                if bytes.count > 8 {
                    let at = 1 + Int(random.next() % UInt64(bytes.count - 5))
                    for offset in 0..<4 { bytes[at + offset] = offset == 0 ? 0x7F : 0xFF }
                }
            }
            do {
                _ = try LogicalMessage.decode(bytes[...], streamedTransaction: random.next() % 5 == 0)
                decoded += 1
            } catch {
                rejected += 1
                #expect(!"\(error)".isEmpty)
            }
            // The CopyBoth layer too.
            _ = try? ReplicationMessage.decode(([UInt8(ascii: random.next() % 2 == 0 ? "w" : "k")] + bytes)[...])
        }
        #expect(decoded + rejected == 20_000)
        #expect(rejected > 5_000, "most corruptions must be caught")
    }
}
