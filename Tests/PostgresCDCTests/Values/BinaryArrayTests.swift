import Testing
@testable import PostgresCDC
@testable import PostgresCDCEvents

/// The one walker of `array_send` bytes: the header checked once, elements one by one, and where
/// dimensions end — what the text, vector and JSON writers share.
@Suite struct BinaryArrayTests {
    static func int32(_ value: Int32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }

    /// `array_send` bytes with `lengths` dimensions (lower bound `lower`) and the elements given (`nil`: NULL).
    static func arraySend(_ lengths: [Int32], lower: Int32 = 1, _ elements: [[UInt8]?]) -> [UInt8] {
        var bytes = int32(Int32(lengths.count)) + int32(elements.contains(nil) ? 1 : 0) + int32(23)
        for length in lengths { bytes += int32(length) + int32(lower) }
        for element in elements { bytes += element.map { int32(Int32($0.count)) + $0 } ?? int32(-1) }
        return bytes
    }

    static func walk(_ bytes: [UInt8]) -> [String]? {
        bytes.withUnsafeBytes { raw -> [String]? in
            guard let array = BinaryArray(raw) else { return nil }
            var offset = array.elementsStart
            var seen: [String] = []
            for number in 0..<array.count {
                let ended = number > 0 ? array.dimensionsEnded(before: number) : 0
                switch array.element(at: &offset) {
                case .null?: seen.append("\(ended):null")
                case let .value(range)?: seen.append("\(ended):\(raw[range].map(String.init).joined(separator: "."))")
                case nil: return nil
                }
            }
            return offset == raw.count ? seen : nil
        }
    }

    @Test func aOneDimensionalArrayGivesItsElementsAndNulls() {
        let bytes = Self.arraySend([3], [[1], nil, [2, 3]])
        #expect(Self.walk(bytes) == ["0:1", "0:null", "0:2.3"])
        bytes.withUnsafeBytes { raw in
            let array = BinaryArray(raw)
            #expect(array?.dimensions == 1)
            #expect(array?.count == 3)
            #expect(array?.lowerBoundsAreOne == true)
        }
    }

    @Test func dimensionsEndWhereTheirLengthsSay() {
        let elements: [[UInt8]?] = (1...12).map { [UInt8($0)] }
        let walked = Self.walk(Self.arraySend([2, 3, 2], elements))?.map { $0.split(separator: ":")[0] }
        #expect(walked == ["0", "0", "1", "0", "1", "0", "2", "0", "1", "0", "1", "0"])
    }

    @Test func emptyArraysAndOtherLowerBounds() {
        let empty = Self.int32(0) + Self.int32(0) + Self.int32(23)
        #expect(Self.walk(empty) == [])
        #expect(Self.walk(Self.arraySend([2, 0], [])) == [])
        Self.arraySend([2], lower: 0, [[1], [2]]).withUnsafeBytes { raw in
            #expect(BinaryArray(raw)?.lowerBoundsAreOne == false)
            #expect(BinaryArray(raw)?.lowerBound(ofDimension: 0) == 0)
        }
    }

    @Test func malformedHeadersAndElementsAreRefused() {
        // Too short, seven dimensions, a negative length, more elements than the bytes hold.
        #expect(Self.walk(Array(Self.arraySend([1], [[1]]).prefix(11))) == nil)
        #expect(Self.walk(Self.arraySend([1, 1, 1, 1, 1, 1, 1], [[1]])) == nil)
        #expect(Self.walk(Self.arraySend([-1], [])) == nil)
        #expect(Self.walk(Self.arraySend([1000], [[1]])) == nil)
        // An element running past the end, and bytes left over.
        #expect(Self.walk(Array(Self.arraySend([1], [[1, 2, 3]]).dropLast())) == nil)
        #expect(Self.walk(Self.arraySend([1], [[1]]) + [0]) == nil)
    }
}
