import PGOutput

/// An array in `array_send` form — Int32 dimensions, Int32 has-nulls flag, UInt32 element type, per
/// dimension Int32 length and Int32 lower bound, then each element, row-major, as Int32 length (-1:
/// NULL) and its send format — read in place: the header checked once, then the elements one by one.
///
/// The one walker of the format: `array_out`'s text (``BinaryText/appendArray(_:element:delimiter:to:)``),
/// `int2vector`/`oidvector` and the JSON writer's arrays read arrays through it.
struct BinaryArray {
    /// What `array_send` writes at most (`MAXDIM`).
    static let maximumDimensions = 6

    /// The array's bytes.
    let raw: UnsafeRawBufferPointer
    /// How many dimensions, 0 (an empty array) to ``maximumDimensions``.
    let dimensions: Int
    /// How many elements in all: the product of the dimensions' lengths (0 for an empty array).
    let count: Int

    /// The header of the array in `raw`; `nil` when it is malformed: too short, more than six
    /// dimensions, a negative length, or more elements than the bytes can hold (4 bytes at least each).
    @inline(__always)
    init?(_ raw: UnsafeRawBufferPointer) {
        guard raw.count >= 12 else { return nil }
        let dimensions = Int(BigEndian.load(Int32.self, from: raw))
        guard dimensions >= 0, dimensions <= Self.maximumDimensions, raw.count - 12 >= 8 * dimensions else { return nil }
        var count = dimensions == 0 ? 0 : 1
        for dimension in 0..<dimensions {
            let length = Int(BigEndian.load(Int32.self, from: raw, at: 12 + 8 * dimension))
            guard length >= 0 else { return nil }
            // Past Int.max only with a dimension of length 0 after it, which makes the array empty.
            let (product, overflow) = count.multipliedReportingOverflow(by: length)
            count = overflow ? .max : product
        }
        guard count <= (raw.count - 12 - 8 * dimensions) / 4 else { return nil }
        self.raw = raw
        self.dimensions = dimensions
        self.count = count
    }

    /// The length of dimension `dimension` (0 for the outermost).
    @inline(__always)
    func length(ofDimension dimension: Int) -> Int {
        Int(BigEndian.load(Int32.self, from: raw, at: 12 + 8 * dimension))
    }

    /// The lower bound of dimension `dimension` (1 unless the array was built with others).
    @inline(__always)
    func lowerBound(ofDimension dimension: Int) -> Int {
        Int(BigEndian.load(Int32.self, from: raw, at: 16 + 8 * dimension))
    }

    /// Whether every dimension starts at 1 (JSON has no place for other bounds).
    @inline(__always)
    var lowerBoundsAreOne: Bool {
        for dimension in 0..<dimensions where lowerBound(ofDimension: dimension) != 1 { return false }
        return true
    }

    /// The offset of the first element.
    @inline(__always)
    var elementsStart: Int { 12 + 8 * dimensions }

    /// One element: NULL, or a value in the bytes at `range` of ``raw``.
    enum Element {
        case null
        case value(Range<Int>)
    }

    /// The element at `offset` (``elementsStart`` for the first), moving `offset` past it; `nil`
    /// when the bytes end inside it.
    @inline(__always)
    func element(at offset: inout Int) -> Element? {
        guard raw.count - offset >= 4 else { return nil }
        let length = Int(BigEndian.load(Int32.self, from: raw, at: offset))
        offset += 4
        if length < 0 { return .null }
        guard length <= raw.count - offset else { return nil }
        defer { offset += length }
        return .value(offset..<(offset + length))
    }

    /// How many dimensions end between element `number − 1` and element `number` (row-major, so the
    /// innermost first): a writer closes that many, writes its separator and opens as many again.
    func dimensionsEnded(before number: Int) -> Int {
        var ended = 0
        var span = 1
        var dimension = dimensions - 1
        while dimension > 0 {
            span *= length(ofDimension: dimension)
            guard number % span == 0 else { break }
            ended += 1
            dimension -= 1
        }
        return ended
    }
}
