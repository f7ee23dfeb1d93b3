import Logging
import PGOutput
import Testing
@testable import PostgresCDC
@testable import PostgresCDCEvents

/// ``BackfillMachine`` without a server or a clock: requests started, refused, cancelled and
/// aborted; watermarks and the keys that changed between them; reads that came too early; the
/// last chunk; the ledger at commits; the new-table checks and progress logging on injected time.
@Suite struct BackfillMachineTests {
    static let second: UInt64 = 1_000_000_000
    static let slot = "s1"
    static let docs = HandBuiltRows.docs()

    static func machine(_ state: BackfillState = BackfillState(), newTables: Bool = false, snapshotTaken: Bool = false) -> BackfillMachine {
        BackfillMachine(
            settings: .init(slot: slot, newTables: newTables, checkInterval: 10), state: state, snapshotTaken: snapshotTaken)
    }

    static func transaction(_ xid: UInt32) -> TransactionInfo {
        TransactionInfo(
            xid: xid, commitLSN: LSN(0x1000 + UInt64(xid)), commitTime: PostgresTimestamp(microsecondsSince2000: 0), origin: nil)
    }

    /// The logical decoding message that carries `message`, in transaction `xid` (or outside one).
    static func control(_ message: BackfillMessage, xid: UInt32? = 7, slot: String = slot) -> LogicalDecodingMessageEvent {
        LogicalDecodingMessageEvent(
            transaction: xid.map(transaction), seq: 0, lsn: LSN(0x500), prefix: message.prefix, content: Array(message.content.utf8))
    }

    static func request(_ id: String = "b1", table: String = "public.docs") -> BackfillRequest {
        BackfillRequest(table: table, chunkSize: 3, id: id)
    }

    static func plan(_ chunk: String, backfill: String = "b1", startKey: [String]? = nil, retryKeys: [[String]] = []) -> BackfillReader.Plan
    {
        BackfillReader.Plan(backfill: backfill, chunk: chunk, table: 42, keyColumns: ["id"], startKey: startKey, retryKeys: retryKeys)
    }

    /// A chunk of `docs` rows with these ids.
    static func chunk(_ plan: BackfillReader.Plan, ids: [Int], isLast: Bool = false, running: [UInt32] = []) -> BackfillReader.Chunk {
        BackfillReader.Chunk(
            plan: plan, relation: docs, rows: ids.map { HandBuiltRows.tuple([.text("\($0)"), .text("t"), .null, .null]) }, keyIndexes: [0],
            lastKey: ids.last.map { ["\($0)"] }, isLast: isLast, snapshot: ReadSnapshot(running: running))
    }

    static func change(_ operation: RowChange.Operation, id: Int, partial: Bool = false) -> RowChange {
        let cells: [HandBuiltRows.Cell] = [.text("\(id)"), .text("t"), partial ? .unchangedToast : .null, .null]
        let row = HandBuiltRows.row(docs, cells)
        return HandBuiltRows.change(operation, docs, old: operation == .delete ? row : nil, new: operation == .delete ? nil : row)
    }

    /// The actions in words, for comparisons.
    static func words(_ actions: [BackfillMachine.Action]) -> [String] {
        actions.map { action in
            switch action {
            case let .startReading(progress): return "start reading \(progress.request.id) after \(progress.lastKey ?? [])"
            case let .stopReading(id): return "stop reading \(id)"
            case let .readAgain(id, after, pending, pausing):
                return "read \(id) again after \(after ?? []) pending \(pending) in \(pausing) s"
            case let .retry(id, keys): return "retry \(id) \(keys)"
            case let .findPlan(chunk): return "find plan \(chunk)"
            case let .takeChunk(mark): return "take \(mark.chunk) of \(mark.backfill)"
            case let .check(request, _): return "check \(request.id)"
            case .listPublishedTables: return "list published tables"
            case let .send(.start(slot, request)): return "send start \(request.id) of \(request.table) for \(slot)"
            case let .send(message): return "send \(message)"
            case let .handOut(.backfill(event)):
                return "\(event.kind) \(event.id) rows \(event.rows) seq \(event.seq)\(event.reason.map { ": \($0)" } ?? "")"
            case .handOut: return "other event"
            case let .handOutRows(rows): return "rows \(rows.keys) from seq \(rows.firstSeq)"
            case let .record(state, lsn): return "record \(state.active.map(\.request.id)) at \(lsn)"
            case let .log(line): return "\(line.level): \(line.message)"
            }
        }
    }

    /// A machine with backfill `b1` started (checked and accepted).
    static func started(_ request: BackfillRequest = request()) -> BackfillMachine {
        var machine = machine()
        var seq = 0
        _ = machine.received(control(.start(slot: slot, request)), seq: &seq)
        _ = machine.checked(request, refusal: nil, estimatedRows: 100, at: point(), seq: &seq)
        return machine
    }

    static func point(xid: UInt32 = 7) -> BackfillMachine.Point {
        BackfillMachine.Point(transaction: transaction(xid), lsn: LSN(0x500))
    }

    static func high(_ chunk: String, backfill: String = "b1", xid: UInt32 = 9) -> BackfillMachine.HighWatermark {
        BackfillMachine.HighWatermark(backfill: backfill, chunk: chunk, point: point(xid: xid))
    }

    // MARK: - Requests

    @Test func aRequestIsCheckedThenStartedWithItsEventAndReadFromTheStart() {
        var machine = Self.machine()
        var seq = 4
        let request = Self.request()
        #expect(Self.words(machine.received(Self.control(.start(slot: Self.slot, request)), seq: &seq)) == ["check b1"])
        let actions = machine.checked(request, refusal: nil, estimatedRows: 100, at: Self.point(), seq: &seq)
        #expect(Self.words(actions) == ["info: backfill started", "started b1 rows 0 seq 4", "start reading b1 after []"])
        #expect(seq == 5)
        #expect(machine.state.active.map(\.request.id) == ["b1"])
        // Recorded with the request's commit, once.
        #expect(Self.words(machine.committed(xid: 7, endLSN: LSN(0x600))) == ["record [\"b1\"] at 0/600"])
        #expect(Self.words(machine.committed(xid: 8, endLSN: LSN(0x700))) == [])
        // A request met again (a stream read twice) is not run twice.
        #expect(Self.words(machine.received(Self.control(.start(slot: Self.slot, request)), seq: &seq)) == [])
    }

    @Test func aRefusedRequestEndsAtOnceWithTheReason() {
        var machine = Self.machine()
        var seq = 0
        let request = Self.request()
        _ = machine.received(Self.control(.start(slot: Self.slot, request)), seq: &seq)
        let actions = machine.checked(
            request, refusal: "table public.docs has no primary key", estimatedRows: 0, at: Self.point(), seq: &seq)
        #expect(Self.words(actions) == ["warning: backfill refused", "refused b1 rows 0 seq 0: table public.docs has no primary key"])
        #expect(machine.state.active.isEmpty)
        #expect(machine.state.knows("b1"))
        #expect(Self.words(machine.committed(xid: 7, endLSN: LSN(0x600))) == ["record [] at 0/600"])
    }

    @Test func messagesOfOtherSlotsAndOutsideTransactionsAreNotActedOn() {
        var machine = Self.machine()
        var seq = 0
        #expect(Self.words(machine.received(Self.control(.start(slot: "other", Self.request())), seq: &seq)) == [])
        #expect(
            Self.words(machine.received(Self.control(.start(slot: Self.slot, Self.request()), xid: nil), seq: &seq)) == [
                "warning: ignoring a backfill message outside a transaction"
            ])
        let foreign = LogicalDecodingMessageEvent(
            transaction: Self.transaction(7), seq: 0, lsn: LSN(0x500), prefix: BackfillMessage.requestPrefix, content: Array("{}".utf8))
        #expect(Self.words(machine.received(foreign, seq: &seq)) == [])
        #expect(seq == 0)
    }

    @Test func cancellingStopsTheReaderAndEndsTheBackfill() {
        var machine = Self.started()
        var seq = 2
        let actions = machine.received(Self.control(.cancel(slot: Self.slot, id: "b1")), seq: &seq)
        #expect(Self.words(actions) == ["stop reading b1", "info: backfill cancelled", "cancelled b1 rows 0 seq 2"])
        #expect(machine.state.active.isEmpty)
        #expect(Self.words(machine.received(Self.control(.cancel(slot: Self.slot, id: "b1")), seq: &seq)) == [])
    }

    @Test func anAbortEndsTheBackfillWithTheReadersReason() {
        var machine = Self.started()
        var seq = 0
        let abort = BackfillMessage.watermark(slot: Self.slot, backfill: "b1", chunk: "c1", mark: .abort, reason: "table dropped")
        #expect(
            Self.words(machine.received(Self.control(abort), seq: &seq)) == [
                "stop reading b1", "warning: backfill aborted", "aborted b1 rows 0 seq 0: table dropped",
            ])
        #expect(machine.state.finished == ["b1"])
    }

    @Test func aResumedStreamReadsOnAndSendsOnlyNewRequests() {
        var state = BackfillState()
        state.active = [BackfillProgress(request: Self.request("b1"), lastKey: ["10"], rows: 10)]
        state.finished = ["b0"]
        let machine = Self.machine(state)
        let actions = machine.begin(requests: [Self.request("b0"), Self.request("b1"), Self.request("b2", table: "public.other")])
        #expect(
            Self.words(actions) == [
                "info: resuming backfill", "start reading b1 after [\"10\"]", "send start b2 of public.other for s1",
            ])
        // After a new snapshot, what was left to read is in the snapshot.
        let afterSnapshot = Self.machine(state, snapshotTaken: true)
        #expect(Self.words(afterSnapshot.begin(requests: [])) == [])
        #expect(afterSnapshot.state.finished == ["b0", "b1"])
    }

    // MARK: - Watermarks

    @Test func aLowWatermarkOpensItsWindowOnlyForARunningBackfill() {
        var machine = Self.started()
        var seq = 0
        let low = BackfillMessage.watermark(slot: Self.slot, backfill: "b1", chunk: "c1", mark: .low, reason: nil)
        #expect(Self.words(machine.received(Self.control(low), seq: &seq)) == ["find plan c1"])
        #expect(!machine.watchesRows)
        machine.planFound(Self.plan("c1"))
        #expect(machine.watchesRows)
        let other = BackfillMessage.watermark(slot: Self.slot, backfill: "b9", chunk: "c9", mark: .low, reason: nil)
        #expect(Self.words(machine.received(Self.control(other), seq: &seq)) == [])
        let high = BackfillMessage.watermark(slot: Self.slot, backfill: "b1", chunk: "c1", mark: .high, reason: nil)
        #expect(Self.words(machine.received(Self.control(high), seq: &seq)) == ["take c1 of b1"])
    }

    @Test func rowsWhoseKeysChangedInTheWindowAreLeftOutAndToastedOnesReadAgain() {
        var machine = Self.started()
        let plan = Self.plan("c1")
        machine.planFound(plan)
        machine.observe(Self.change(.update, id: 2))
        machine.observe(Self.change(.update, id: 3, partial: true))
        var seq = 5
        let actions = machine.chunkTaken(Self.chunk(plan, ids: [1, 2, 3, 4]), at: Self.high("c1"), seq: &seq, now: 100 * Self.second)
        #expect(
            Self.words(actions) == [
                "rows [\"1\", \"4\"] from seq 5", "retry b1 [[\"3\"]]", "info: backfill progress",
            ])
        #expect(seq == 7)
        #expect(!machine.watchesRows)
        let progress = machine.state.active.first
        #expect(progress?.rows == 2)
        #expect(progress?.lastKey == ["4"])
        #expect(progress?.pendingKeys == [["3"]])
        #expect(Self.words(machine.committed(xid: 9, endLSN: LSN(0x900))) == ["record [\"b1\"] at 0/900"])
    }

    @Test func theLastChunkCompletesTheBackfillAfterItsRows() {
        var machine = Self.started()
        let plan = Self.plan("c1")
        machine.planFound(plan)
        var seq = 0
        let actions = machine.chunkTaken(Self.chunk(plan, ids: [1, 2], isLast: true), at: Self.high("c1"), seq: &seq, now: 0)
        #expect(
            Self.words(actions) == [
                "rows [\"1\", \"2\"] from seq 0", "stop reading b1", "info: backfill completed", "completed b1 rows 2 seq 2",
            ])
        #expect(seq == 3)
        #expect(machine.state.finished == ["b1"])
    }

    @Test func aLastChunkWithKeysToReadAgainDoesNotCompleteYet() {
        var machine = Self.started()
        let plan = Self.plan("c1")
        machine.planFound(plan)
        machine.observe(Self.change(.update, id: 2, partial: true))
        var seq = 0
        let actions = machine.chunkTaken(Self.chunk(plan, ids: [1, 2], isLast: true), at: Self.high("c1"), seq: &seq, now: 0)
        #expect(Self.words(actions) == ["rows [\"1\"] from seq 0", "retry b1 [[\"2\"]]", "info: backfill progress"])
        // The next chunk reads key 2 again; it did not change this time, and the backfill completes.
        let again = Self.plan("c2", startKey: ["2"], retryKeys: [["2"]])
        machine.planFound(again)
        let last = machine.chunkTaken(Self.chunk(again, ids: [2], isLast: true), at: Self.high("c2"), seq: &seq, now: 0)
        #expect(
            Self.words(last) == [
                "rows [\"2\"] from seq 1", "stop reading b1", "info: backfill completed", "completed b1 rows 2 seq 2",
            ])
    }

    @Test func aReadThatCameTooEarlyIsReadAgainWithAGrowingPause() {
        var machine = Self.started()
        var seq = 0
        machine.observe(Self.change(.insert, id: 1))
        _ = machine.committed(xid: 21, endLSN: LSN(0x700))
        var pauses: [String] = []
        for attempt in 1...9 {
            let plan = Self.plan("c\(attempt)")
            machine.planFound(plan)
            let actions = machine.chunkTaken(
                Self.chunk(plan, ids: [1], running: [21]), at: Self.high("c\(attempt)"), seq: &seq, now: UInt64(attempt) * Self.second)
            #expect(
                Self.words(actions).first
                    == "info: reading a backfill chunk again: a transaction handed out before it was still running for its read")
            pauses += Self.words(actions).dropFirst()
        }
        #expect(pauses.first == "read b1 again after [] pending [] in 0.02 s")
        #expect(pauses[1] == "read b1 again after [] pending [] in 0.04 s")
        #expect(pauses[6] == "read b1 again after [] pending [] in 1.28 s")
        #expect(pauses[7] == "read b1 again after [] pending [] in 2.0 s")
        #expect(pauses[8] == "read b1 again after [] pending [] in 2.0 s")
        #expect(seq == 0)
        // A chunk read in time resets the count.
        let plan = Self.plan("ok")
        machine.planFound(plan)
        _ = machine.chunkTaken(Self.chunk(plan, ids: [1]), at: Self.high("ok"), seq: &seq, now: 20 * Self.second)
        let late = Self.plan("late", startKey: ["1"])
        machine.planFound(late)
        let actions = machine.chunkTaken(Self.chunk(late, ids: [2], running: [21]), at: Self.high("late"), seq: &seq, now: 21 * Self.second)
        #expect(Self.words(actions).last == "read b1 again after [\"1\"] pending [] in 0.02 s")
    }

    @Test func aChunkThatDoesNotFollowWhatWasHandedOutIsReadAgainAtOnce() {
        var machine = Self.started()
        var seq = 0
        // Read before a reconnect: it starts after a key the stream never handed out.
        let stale = Self.plan("c1", startKey: ["40"])
        machine.planFound(stale)
        let actions = machine.chunkTaken(Self.chunk(stale, ids: [41, 42]), at: Self.high("c1"), seq: &seq, now: 0)
        #expect(Self.words(actions) == ["read b1 again after [] pending [] in 0.0 s"])
        // A window never opened (its low watermark came before this session).
        let unopened = machine.chunkTaken(Self.chunk(Self.plan("c2"), ids: [1]), at: Self.high("c2"), seq: &seq, now: 0)
        #expect(Self.words(unopened) == ["read b1 again after [] pending [] in 0.0 s"])
        // A chunk the reader does not hold, or of a backfill that ended, is nothing to act on.
        #expect(Self.words(machine.chunkTaken(nil, at: Self.high("c3"), seq: &seq, now: 0)) == [])
        #expect(
            Self.words(
                machine.chunkTaken(
                    Self.chunk(Self.plan("c4", backfill: "b9"), ids: [1]), at: Self.high("c4", backfill: "b9"), seq: &seq, now: 0)) == [])
        #expect(seq == 0)
    }

    @Test func progressIsLoggedAtMostEveryFiveSeconds() {
        var machine = Self.started()
        var seq = 0
        var logged: [UInt64] = []
        var last: [String]?
        for second in [100, 101, 104, 105, 106, 111] as [UInt64] {
            let plan = Self.plan("c\(second)", startKey: last)
            machine.planFound(plan)
            let ids = [Int(second)]
            let actions = machine.chunkTaken(Self.chunk(plan, ids: ids), at: Self.high("c\(second)"), seq: &seq, now: second * Self.second)
            if Self.words(actions).contains("info: backfill progress") { logged.append(second) }
            last = ["\(second)"]
        }
        #expect(logged == [100, 105, 111])
    }

    @Test func progressNamesItsShareOfTheEstimate() {
        var machine = Self.started()
        let plan = Self.plan("c1")
        machine.planFound(plan)
        var seq = 0
        let actions = machine.chunkTaken(Self.chunk(plan, ids: [1, 2, 3]), at: Self.high("c1"), seq: &seq, now: 0)
        guard case let .log(line)? = actions.last else {
            Issue.record("no progress line")
            return
        }
        #expect(line.metadata["rows"] == "3")
        #expect(line.metadata["percent_of_estimate"] == "3")
    }

    // MARK: - New tables

    static func tables(_ names: [String]) -> [ReplicationSetup.PublishedTable] {
        names.enumerated().map { ReplicationSetup.PublishedTable(name: $1, oid: "\(100 + $0)", hasPrimaryKey: true) }
    }

    @Test func newTablesAreCheckedAtOnceThenEveryInterval() {
        var machine = Self.machine(newTables: true)
        #expect(Self.words(machine.due(now: 50 * Self.second)) == ["list published tables"])
        #expect(Self.words(machine.due(now: 55 * Self.second)) == [])
        #expect(Self.words(machine.due(now: 59 * Self.second)) == [])
        #expect(Self.words(machine.due(now: 60 * Self.second)) == ["list published tables"])
        var off = Self.machine(newTables: false)
        #expect(Self.words(off.due(now: 50 * Self.second)) == [])
    }

    @Test func theFirstListIsWhatTheStreamHasAndLaterTablesAreAskedForOnce() {
        var machine = Self.machine(newTables: true)
        #expect(Self.words(machine.begin(requests: [])) == ["list published tables"])
        #expect(Self.words(machine.tablesPublished(Self.tables(["public.a", "public.b"]))) == [])
        #expect(machine.state.knownTables == ["public.a", "public.b"])
        #expect(Self.words(machine.committed(xid: 1, endLSN: LSN(0x100))) == ["record [] at 0/100"])
        let joined = machine.tablesPublished(Self.tables(["public.a", "public.b", "public.c"]))
        #expect(
            Self.words(joined) == ["info: table joined the publication; asking for its backfill", "send start new-102 of public.c for s1"])
        // Its request is on its way through the WAL: not asked for again meanwhile.
        #expect(Self.words(machine.tablesPublished(Self.tables(["public.a", "public.b", "public.c"]))) == [])
        // The request met in the stream makes the table known.
        var seq = 0
        _ = machine.received(Self.control(.start(slot: Self.slot, BackfillRequest(table: "public.c", id: "new-102"))), seq: &seq)
        #expect(machine.state.knownTables == ["public.a", "public.b", "public.c"])
    }

    @Test func aTableThatLeftThePublicationIsNewWhenItComesBack() {
        var state = BackfillState()
        state.knownTables = ["public.a", "public.b"]
        var machine = Self.machine(state, newTables: true)
        #expect(Self.words(machine.begin(requests: [])) == [])
        #expect(Self.words(machine.tablesPublished(Self.tables(["public.a"]))) == [])
        #expect(machine.state.knownTables == ["public.a"])
        let back = machine.tablesPublished(Self.tables(["public.a", "public.b"]))
        #expect(Self.words(back).last == "send start new-101 of public.b for s1")
    }
}
