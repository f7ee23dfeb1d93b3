import PGOutput
import PostgresCDC

/// Feeds one fuzzer input through everything that reads bytes from the server: the CopyBoth
/// layer, the pgoutput layer (with every flag), and — treating the input as a series of
/// `[UInt16 length][message]` records — the change assembler and both JSON encoders. Every input
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
}
