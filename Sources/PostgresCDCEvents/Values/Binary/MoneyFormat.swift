/// How the server writes `money` (`cash_out` under its lc_monetary): a sign-dependent text
/// before and after the amount, the amount's digits grouped from the decimal symbol. pgcdc does
/// not pin lc_monetary, so the format is learned once per session from the server's own output
/// (``init(points:positive:negative:samples:)``) and used only when it reproduces every sample.
package struct MoneyFormat: Sendable, Hashable {
    /// Digits after the decimal symbol (`frac_digits`).
    package var points: Int
    /// The decimal symbol (one byte in `cash_out`).
    package var decimal: UInt8
    /// The thousands separator, written every `group` digits left of the decimal symbol.
    package var separator: [UInt8]
    package var group: Int
    /// Text before and after the amount: currency symbol, sign, spaces, parentheses.
    package var positivePrefix: [UInt8], positiveSuffix: [UInt8]
    package var negativePrefix: [UInt8], negativeSuffix: [UInt8]

    /// Appends `value` (in the smallest unit) as `cash_out` writes it.
    func append(_ value: Int64, to out: inout [UInt8]) {
        out.append(contentsOf: value < 0 ? negativePrefix : positivePrefix)
        var digits: [UInt8] = []
        BinaryText.appendDecimal(value.magnitude, to: &digits)
        while digits.count <= points { digits.insert(UInt8(ascii: "0"), at: 0) }
        let integerDigits = digits.count - points
        for index in 0..<integerDigits {
            if index > 0 && (integerDigits - index) % group == 0 { out.append(contentsOf: separator) }
            out.append(digits[index])
        }
        if points > 0 {
            out.append(decimal)
            out.append(contentsOf: digits[integerDigits...])
        }
        out.append(contentsOf: value < 0 ? negativeSuffix : positiveSuffix)
    }

    /// The largest amount, which shows every grouping: learned from its positive and negative text.
    package static let sampleUnits: Int64 = 9_223_372_036_854_775_807

    /// Learns the format from the server's text of ``sampleUnits`` and its negation, then checks it
    /// against every `(units, text)` in `samples`; `nil` when the layout is not one this type can write.
    package init?(points: Int, positive: String, negative: String, samples: [(Int64, String)]) {
        guard points >= 0, points <= 10,
            let (positivePrefix, positiveSuffix, layout) = Self.split(Array(positive.utf8), points: points),
            let (negativePrefix, negativeSuffix, negativeLayout) = Self.split(Array(negative.utf8), points: points),
            layout == negativeLayout
        else { return nil }
        self.points = points
        self.decimal = layout.decimal
        self.separator = layout.separator
        self.group = layout.group
        self.positivePrefix = positivePrefix
        self.positiveSuffix = positiveSuffix
        self.negativePrefix = negativePrefix
        self.negativeSuffix = negativeSuffix
        for (units, text) in samples + [(Self.sampleUnits, positive), (-Self.sampleUnits, negative)] {
            var written: [UInt8] = []
            append(units, to: &written)
            guard written == Array(text.utf8) else { return nil }
        }
    }

    private struct Layout: Equatable {
        var decimal: UInt8
        var separator: [UInt8]
        var group: Int
    }

    /// The text around the first and last digit, and how the digits between are laid out.
    private static func split(_ text: [UInt8], points: Int) -> ([UInt8], [UInt8], Layout)? {
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        guard let first = text.firstIndex(where: isDigit), let last = text.lastIndex(where: isDigit) else { return nil }
        // Runs of digits and the chunks between them.
        var runs: [Int] = []
        var chunks: [[UInt8]] = []
        var index = first
        while index <= last {
            let start = index
            while index <= last && isDigit(text[index]) { index += 1 }
            runs.append(index - start)
            let chunkStart = index
            while index <= last && !isDigit(text[index]) { index += 1 }
            if index > chunkStart { chunks.append(Array(text[chunkStart..<index])) }
        }
        var decimal = UInt8(ascii: ".")
        if points > 0 {
            guard runs.count >= 2, runs.last == points, let chunk = chunks.popLast(), chunk.count == 1 else { return nil }
            decimal = chunk[0]
            runs.removeLast()
        }
        guard runs.count >= 2, let separator = chunks.first, chunks.allSatisfy({ $0 == separator }), let group = runs.last else {
            return nil
        }
        return (Array(text[..<first]), Array(text[(last + 1)...]), Layout(decimal: decimal, separator: separator, group: group))
    }
}
