import PGOutput

/// Text search types. `tsvectorsend`: Int32 count, then per lexeme its text and a NUL, UInt16
/// position count and that many UInt16 positions (weight in the top two bits). `tsvectorout`:
/// `'lexeme':1A,2` separated by spaces, `'` and `\` doubled inside the quotes.
/// `tsquerysend`: Int32 item count, then the items in prefix order — an operator, its right
/// operand, its left operand — each a type byte (1 operand: weight byte, prefix byte, text and NUL;
/// 2 operator: operator byte, and Int16 distance for `<N>`). `tsqueryout` writes infix with the
/// parentheses the priorities need (`!` > `<->` > `&` > `|`).
extension BinaryText {
    static func appendTSVector(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) -> Bool {
        var reader = ByteReader(bytes, context: "tsvector")
        guard let count = try? reader.readInt32(), count >= 0, Int(count) <= reader.remaining / 3 else { return false }
        for index in 0..<Int(count) {
            if index > 0 { out.append(UInt8(ascii: " ")) }
            guard let lexeme = cString(&reader), let positions = try? UInt16(bitPattern: reader.readInt16()),
                Int(positions) <= reader.remaining / 2
            else { return false }
            appendLexeme(lexeme, to: &out)
            for number in 0..<Int(positions) {
                guard let position = try? UInt16(bitPattern: reader.readInt16()) else { return false }
                out.append(number == 0 ? UInt8(ascii: ":") : UInt8(ascii: ","))
                appendDecimal(UInt64(position & 0x3FFF), to: &out)
                switch position >> 14 {
                case 3: out.append(UInt8(ascii: "A"))
                case 2: out.append(UInt8(ascii: "B"))
                case 1: out.append(UInt8(ascii: "C"))
                default: break
                }
            }
        }
        return reader.remaining == 0
    }

    static func appendTSQuery(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) -> Bool {
        var reader = ByteReader(bytes, context: "tsquery")
        guard let count = try? reader.readInt32(), count >= 0, Int(count) <= reader.remaining / 2 else { return false }
        var items: [QueryItem] = []
        items.reserveCapacity(Int(count))
        for _ in 0..<Int(count) {
            guard let item = queryItem(&reader) else { return false }
            items.append(item)
        }
        guard reader.remaining == 0, let leftOperands = leftOperands(of: items) else { return false }
        appendInfix(items, leftOperands: leftOperands, to: &out)
        return true
    }

    private enum QueryItem {
        case operand(text: ArraySlice<UInt8>, weight: UInt8, prefix: Bool)
        /// 1 `!`, 2 `&`, 3 `|`, 4 `<distance>`.
        case `operator`(UInt8, distance: Int16)

        /// tsquery.c's priorities: `!` 4, `<->` 3, `&` 2, `|` 1.
        var priority: Int {
            switch self {
            case .operand: 0
            case .operator(1, _): 4
            case .operator(2, _): 2
            case .operator(3, _): 1
            case .operator: 3
            }
        }
    }

    private static func queryItem(_ reader: inout ByteReader) -> QueryItem? {
        switch try? reader.readUInt8() {
        case 1?:
            guard let weight = try? reader.readUInt8(), weight <= 15, let prefix = try? reader.readUInt8(), prefix <= 1,
                let text = cString(&reader)
            else { return nil }
            return .operand(text: text, weight: weight, prefix: prefix == 1)
        case 2?:
            guard let code = try? reader.readUInt8(), code >= 1, code <= 4 else { return nil }
            if code != 4 { return .operator(code, distance: 1) }
            guard let distance = try? reader.readInt16(), distance >= 0, distance <= 16384 else { return nil }
            return .operator(code, distance: distance)
        default:
            return nil
        }
    }

    /// Each binary operator's left operand's index (its right operand follows it), worked out from
    /// the end without recursion; `nil` unless the items form exactly one tree.
    private static func leftOperands(of items: [QueryItem]) -> [Int]? {
        var leftOperands = [Int](repeating: 0, count: items.count)
        var sizes: [Int] = []
        for index in items.indices.reversed() {
            switch items[index] {
            case .operand:
                sizes.append(1)
            case let .operator(code, _):
                guard let right = sizes.popLast() else { return nil }
                if code == 1 {
                    sizes.append(right + 1)
                    continue
                }
                guard let left = sizes.popLast() else { return nil }
                leftOperands[index] = index + 1 + right
                sizes.append(right + left + 1)
            }
        }
        return sizes.count <= 1 ? leftOperands : nil
    }

    private enum InfixStep {
        case item(Int, parentPriority: Int, rightOfPhrase: Bool)
        case text(StaticString)
        case distance(Int16)
    }

    /// `tsqueryout`'s infix walk, with an explicit stack so a deep query cannot exhaust the thread's stack.
    private static func appendInfix(_ items: [QueryItem], leftOperands: [Int], to out: inout [UInt8]) {
        guard !items.isEmpty else { return }
        var steps: [InfixStep] = [.item(0, parentPriority: -1, rightOfPhrase: false)]
        while let step = steps.popLast() {
            switch step {
            case let .text(text):
                out.append(contentsOf: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
            case let .distance(distance):
                if distance == 1 {
                    out.append(contentsOf: " <-> ".utf8)
                } else {
                    out.append(contentsOf: " <".utf8)
                    appendDecimal(Int64(distance), to: &out)
                    out.append(contentsOf: "> ".utf8)
                }
            case let .item(index, parentPriority, rightOfPhrase):
                let item = items[index]
                switch item {
                case let .operand(text, weight, prefix):
                    appendLexeme(text, to: &out)
                    if weight != 0 || prefix {
                        out.append(UInt8(ascii: ":"))
                        if prefix { out.append(UInt8(ascii: "*")) }
                        if weight & 8 != 0 { out.append(UInt8(ascii: "A")) }
                        if weight & 4 != 0 { out.append(UInt8(ascii: "B")) }
                        if weight & 2 != 0 { out.append(UInt8(ascii: "C")) }
                        if weight & 1 != 0 { out.append(UInt8(ascii: "D")) }
                    }
                case let .operator(code, distance):
                    let priority = item.priority
                    let parenthesized = priority < parentPriority || (code == 4 && rightOfPhrase)
                    // Pushed in reverse: "( " left op right " )".
                    if parenthesized { steps.append(.text(" )")) }
                    if code == 1 {
                        steps.append(.item(index + 1, parentPriority: priority, rightOfPhrase: false))
                        steps.append(.text("!"))
                    } else {
                        steps.append(.item(index + 1, parentPriority: priority, rightOfPhrase: code == 4))
                        switch code {
                        case 2: steps.append(.text(" & "))
                        case 3: steps.append(.text(" | "))
                        default: steps.append(.distance(distance))
                        }
                        steps.append(.item(leftOperands[index], parentPriority: priority, rightOfPhrase: false))
                    }
                    if parenthesized { steps.append(.text("( ")) }
                }
            }
        }
    }

    /// A lexeme in single quotes, `'` and `\` doubled.
    private static func appendLexeme(_ text: ArraySlice<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "'"))
        for byte in text {
            if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\\") { out.append(byte) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "'"))
    }

    /// Bytes up to a NUL, which is consumed; `nil` without one.
    private static func cString(_ reader: inout ByteReader) -> ArraySlice<UInt8>? {
        let rest = reader.bytes[reader.index...]
        guard let end = rest.firstIndex(of: 0), let text = try? reader.readBytes(count: end - rest.startIndex) else { return nil }
        _ = try? reader.readUInt8()
        return text
    }
}
