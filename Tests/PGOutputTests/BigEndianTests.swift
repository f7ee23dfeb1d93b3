import PGOutput
import Testing

/// The one big-endian reader and writer: loads at any offset, exact-length reads, file reads that
/// count missing bytes as zero, and appends that read back.
@Suite struct BigEndianTests {
    static let bytes: [UInt8] = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0xFF]

    @Test func loadsReadMostSignificantByteFirstAtAnyOffset() {
        Self.bytes.withUnsafeBytes { raw in
            #expect(BigEndian.load(UInt16.self, from: raw) == 0x0102)
            #expect(BigEndian.load(UInt32.self, from: raw, at: 1) == 0x0203_0405)
            #expect(BigEndian.load(UInt64.self, from: raw, at: 1) == 0x0203_0405_0607_08FF)
            #expect(BigEndian.load(Int16.self, from: raw, at: 7) == 0x08FF)
            #expect(BigEndian.load(Int8.self, from: raw, at: 8) == -1)
        }
    }

    @Test func anExactReadNeedsExactlyTheIntegersBytes() {
        #expect(BigEndian.integer(Int32.self, Self.bytes[4..<8]) == 0x0506_0708)
        #expect(BigEndian.integer(Int32.self, Self.bytes[5..<9]) == 0x0607_08FF)
        #expect(BigEndian.integer(Int32.self, Self.bytes[4..<7]) == nil)
        #expect(BigEndian.integer(Int16.self, Self.bytes[0..<4]) == nil)
        #expect(BigEndian.integer(Int16.self, [0xFF, 0xFE][...]) == -2)
    }

    @Test func appendedIntegersReadBackAndMissingBytesCountAsZero() {
        var out: [UInt8] = [0xAA]
        BigEndian.append(UInt32(0x0102_0304), to: &out)
        BigEndian.append(Int64(-2), to: &out)
        #expect(out == [0xAA, 1, 2, 3, 4, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE])
        #expect(BigEndian.read(UInt32.self, out[...], at: 1) == 0x0102_0304)
        #expect(BigEndian.read(Int64.self, out[...], at: 5) == -2)
        #expect(BigEndian.read(UInt16.self, out[...], at: 12) == 0xFE)
        #expect(BigEndian.read(UInt16.self, out[...], at: 20) == 0)
    }
}
