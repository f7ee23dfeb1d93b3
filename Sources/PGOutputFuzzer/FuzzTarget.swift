import PGOutput
import PostgresCDC

/// Feeds one fuzzer input through everything that reads bytes from the server: the CopyBoth
/// layer, the pgoutput layer (with every flag), and — treating the input as a series of
/// `[UInt16 length][message]` records — the change assembler and both JSON encoders; and COPY's
/// binary format as snapshots read it, whole and fed in pieces. Every input
/// must yield events or a typed error; a trap is a bug.
enum FuzzTarget {
    static let binaryFormats: [BinaryFormat] =
        Array(Set(TypeCatalog.builtins.values.map(\.binary))) + [
            .array(element: .int4, delimiter: UInt8(ascii: ",")), .array(element: .textual, delimiter: UInt8(ascii: ",")),
            .array(element: .array(element: .numeric, delimiter: UInt8(ascii: ",")), delimiter: UInt8(ascii: ",")),
            .composite([CompositeField(typeOID: 23, format: .int4), CompositeField(typeOID: 3904, format: .range(subtype: .int4))]),
            .range(subtype: .textual), .array(element: .point, delimiter: UInt8(ascii: ",")),
        ]
        + (MoneyFormat(points: 2, positive: "$92,233,720,368,547,758.07", negative: "-$92,233,720,368,547,758.07", samples: []).map {
            [.money($0)]
        } ?? [])

    static func run(_ data: [UInt8]) {
        _ = try? ReplicationMessage.decode(data[...])
        for streamed in [false, true] {
            for abortHasPosition in [false, true] {
                _ = try? LogicalMessage.decode(data[...], streamedTransaction: streamed, abortHasPosition: abortHasPosition)
            }
        }
        // Every binary value conversion must return false or text, never trap.
        var text: [UInt8] = []
        for format in binaryFormats {
            text.removeAll(keepingCapacity: true)
            _ = BinaryText.append(data[...], as: format, to: &text)
        }
        copyBinary(data)
        var pipeline = FuzzPipeline()
        var index = 0
        while index + 2 <= data.count {
            let length = Int(data[index]) << 8 | Int(data[index + 1])
            index += 2
            let end = min(data.count, index + length)
            pipeline.feed(data[index..<end])
            index = end
        }
        pipeline.finish()
    }

    /// COPY's binary format for a row of three columns (two binary, one text), all at once and in
    /// pieces of up to 16 bytes: the same rows either way, or an error, never a trap.
    static func copyBinary(_ data: [UInt8]) {
        let message = RelationMessage(
            xid: nil, oid: 1, namespace: "s", name: "t", replicaIdentity: .default,
            columns: [
                .init(isKey: true, name: "a", typeOID: 20, typeModifier: -1),
                .init(isKey: false, name: "b", typeOID: 1184, typeModifier: -1),
                .init(isKey: false, name: "c", typeOID: 2205, typeModifier: -1),
            ])
        let format = CopyFormat(for: message, catalog: TypeCatalog(), binary: nil)
        var whole = CopyBinaryParser(format: format, columnCount: 3)
        var rows: [[TupleData.Column]] = []
        let wholeEnd = try? whole.parse(data, from: 0, into: &rows)
        var pieces = CopyBinaryParser(format: format, columnCount: 3)
        var pieceRows: [[TupleData.Column]] = []
        var buffer: [UInt8] = []
        var parsed = 0
        var rest = data[...]
        let step = max(1, Int(data.first ?? 1) % 17)
        while !rest.isEmpty {
            buffer += rest.prefix(step)
            rest = rest.dropFirst(step)
            guard let next = try? pieces.parse(buffer, from: parsed, into: &pieceRows) else { return }
            parsed = next
        }
        // Where the bytes come in pieces, the rows are the same.
        precondition(wholeEnd == nil || (wholeEnd == parsed && rows == pieceRows), "COPY rows differ when fed in pieces")
        let relation = Relation(message: message, catalog: TypeCatalog())
        var text = JSONBuffer()
        for columns in pieceRows {
            let row = Row(relation: relation, tuple: TupleData(storage: buffer[...], columns: columns), isKeyOnly: false)
            for index in 0..<3 { _ = row.text(at: index) }
            text.appendString(String(describing: row.value(at: 1)))
        }
    }
}
