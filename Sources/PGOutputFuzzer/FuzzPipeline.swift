import PGOutput
import PostgresCDC

/// The session's hot path without a server: XLogData → pgoutput → assembler → JSON (native and
/// Debezium). Errors end nothing: the next record is fed as if the stream went on.
struct FuzzPipeline {
    private var assembler = ChangeAssembler(catalog: TypeCatalog(), includeTransactionEvents: true)
    private let native = JSONLinesEncoder()
    private let debezium = DebeziumEncoder(database: "fuzz")
    private var buffer = JSONBuffer()

    init() {
        assembler.filter.excludeColumns = ["public.t.secret"]
    }

    mutating func feed(_ record: ArraySlice<UInt8>) {
        guard let message = try? LogicalMessage.decode(record) else { return }
        guard case let .event(event) = try? assembler.process(message, lsn: LSN(0x1000)) else { return }
        native.encode(event, into: &buffer)
        debezium.encode(event, into: &buffer)
        if buffer.bytes.count > 1 << 20 { buffer.bytes.removeAll(keepingCapacity: true) }
    }
}
