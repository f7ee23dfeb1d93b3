@testable import PostgresCDC
import PGOutput

/// Feeds payloads to an assembler as the session does — ``ChangeAssembler/decode(_:at:)``, then
/// drains a replay — and writes down what comes out, one short line per event.
struct AssemblerFeed {
    var assembler: ChangeAssembler
    private(set) var events: [String] = []

    /// An assembler with transaction events, streaming and two-phase decoding on the given storages.
    init(spills: any SpillStorage, prepared: any PreparedTransactionStorage, memoryLimit: Int = 64 << 20) throws {
        assembler = ChangeAssembler(catalog: TypeCatalog(), includeTransactionEvents: true)
        assembler.inProgress = InProgressTransactions(memoryLimit: memoryLimit, storage: spills)
        assembler.prepared = try PreparedTransactionStore(storage: prepared)
        assembler.spoolMemoryLimit = memoryLimit
    }

    mutating func feed(_ payload: [UInt8], at lsn: UInt64) throws {
        record(try assembler.decode(payload[...], at: LSN(lsn)))
        while assembler.isReplaying { record(try assembler.nextReplayed()) }
    }

    /// Takes the events written down so far.
    mutating func take() -> [String] {
        defer { events = [] }
        return events
    }

    private mutating func record(_ output: ChangeAssembler.Output) {
        guard case let .event(event) = output else { return }
        switch event {
        case let .begin(info):
            events.append("begin \(info.xid)" + (info.gid.map { " \($0)" } ?? ""))
        case let .insert(change):
            let id = change.new?.tuple.value(at: 0).map { String(decoding: $0, as: UTF8.self) } ?? "?"
            events.append("insert \(id) seq \(change.seq)")
        case let .commit(commit):
            events.append("commit \(commit.transaction.xid) after \(commit.eventCount) at \(commit.endLSN.value)")
        default:
            events.append("\(event)")
        }
    }
}
