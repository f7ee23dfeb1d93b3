#if canImport(Glibc)
import Glibc
#endif
import PGOutput
import PostgresCDC

/// The session's hot path without a server: XLogData → pgoutput → assembler (with streaming and
/// two-phase on, a 4 KiB memory bound so streamed transactions spill) → JSON (native and
/// Debezium). Errors end nothing: the next record is fed as if the stream went on.
struct FuzzPipeline {
    private var assembler = ChangeAssembler(catalog: TypeCatalog(), includeTransactionEvents: true)
    private var native = JSONLinesEncoder()
    private var debezium = DebeziumEncoder(database: "fuzz")
    private var buffer = JSONBuffer()

    init() {
        assembler.filter.excludeColumns = ["public.t.secret"]
        assembler.inProgress = InProgressTransactions(memoryLimit: 4096, spillDirectory: "/tmp")
        assembler.spoolMemoryLimit = 4096
        assembler.abortHasPosition = true
        // Prepared transactions in memory: the header format is pgcdc's own, and no fsync per input.
        assembler.prepared = try? PreparedTransactionStore(storage: MemoryPreparedTransactionStorage())
    }

    mutating func feed(_ record: ArraySlice<UInt8>) {
        if let output = try? assembler.decode(record, at: LSN(0x1000)) { encode(output) }
        while assembler.isReplaying {
            guard let output = try? assembler.nextReplayed() else { break }
            encode(output)
        }
    }

    /// Drops the streamed transactions the input left in progress (and their spill files).
    func finish() {
        assembler.inProgress?.removeAll()
    }

    private mutating func encode(_ output: ChangeAssembler.Output) {
        guard case let .event(event) = output else { return }
        native.encode(event, into: &buffer)
        debezium.encode(event, into: &buffer)
        if buffer.bytes.count > 1 << 20 { buffer.bytes.removeAll(keepingCapacity: true) }
    }
}
