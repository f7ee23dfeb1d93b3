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
    private let native = JSONLinesEncoder()
    private let debezium = DebeziumEncoder(database: "fuzz")
    private var buffer = JSONBuffer()
    /// Prepared transactions of this process's inputs; emptied after each input.
    private static let preparedDirectory = "/tmp/pgcdc-fuzz-prepared-\(getpid())"

    init() {
        assembler.filter.excludeColumns = ["public.t.secret"]
        assembler.inProgress = InProgressTransactions(memoryLimit: 4096, spillDirectory: "/tmp")
        assembler.spoolMemoryLimit = 4096
        assembler.prepared = try? PreparedTransactionStore(directory: Self.preparedDirectory)
    }

    mutating func feed(_ record: ArraySlice<UInt8>) {
        guard let message = try? LogicalMessage.decode(record, streamedTransaction: assembler.isInStreamBlock, abortHasPosition: true) else { return }
        if let output = try? assembler.process(message, bytes: record, lsn: LSN(0x1000)) { encode(output) }
        while assembler.isReplaying {
            guard let output = try? assembler.nextReplayed() else { break }
            encode(output)
        }
    }

    /// Removes what the input left in the prepared-transaction directory.
    func finish() {
        for entry in assembler.prepared?.entries.values ?? [:].values { unlink(entry.path) }
        assembler.inProgress?.removeAll()
    }

    private mutating func encode(_ output: ChangeAssembler.Output) {
        guard case let .event(event) = output else { return }
        native.encode(event, into: &buffer)
        debezium.encode(event, into: &buffer)
        if buffer.bytes.count > 1 << 20 { buffer.bytes.removeAll(keepingCapacity: true) }
    }
}
