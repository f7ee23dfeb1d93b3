/// Which backfill ``BackfillReader`` reads a chunk of next, and when, with no I/O and no clock of
/// its own: every input that depends on time takes `now` (monotonic nanoseconds).
///
/// - Backfills take turns (round robin), one chunk each.
/// - At most ``chunksAhead`` chunks of a backfill wait for the stream: the next waits until the
///   stream took one (``handedOut(_:)``).
/// - A restarted backfill may pause (``restart(_:after:pending:pausing:now:)``): none of its chunks is
///   read before then.
/// - A restart starts a new generation: a chunk of the backfill read before it is not kept
///   (``chunkRead(_:lastKey:rangeDone:rows:)``).
/// - With ``rowsPerSecond``, the reading waits after each chunk until the rows read so far are due.
struct BackfillSchedule: HandoffLedger {
    /// One backfill being read.
    struct Job {
        var progress: BackfillProgress
        var nextKey: [String]?
        var catalog: TypeCatalog
        /// Chunks read and not yet taken by the stream.
        var inFlight = 0
        var done = false
        var generation = 0
        /// The key range was read to its end; only ``pending`` keys remain.
        var rangeDone = false
        /// Keys to read again with the next chunk.
        var pending: [[String]] = []
        /// No chunk is read before this time (monotonic nanoseconds).
        var notBefore: UInt64?
    }

    /// A chunk to read now: of backfill `id`, as its job stood when it was chosen.
    struct Order {
        var id: String
        var job: Job
        var chunk: String
    }

    /// Chunks per backfill read ahead of the stream at most.
    let chunksAhead: Int
    /// Rows per second across all backfills; `nil` for no limit.
    let rowsPerSecond: Double?
    private(set) var jobs: [String: Job] = [:]
    /// The backfills in the order they started: the order of their turns.
    private var order: [String] = []
    private var cursor = 0
    private var chunkCounter = 0
    /// Names the chunks of this reader apart from those of an earlier run or another process.
    private let nonce: String
    /// The chunks announced (low watermark emitted) and not taken or dropped.
    private var plans: [String: BackfillReader.Plan] = [:]
    private var rowsRead = 0
    private let readingSince: UInt64
    /// A backfill was started before (the reader's thread runs).
    private(set) var hasStarted = false

    /// A schedule whose reading starts at `now`.
    init(chunksAhead: Int, rowsPerSecond: Double?, nonce: String, now: UInt64) {
        self.chunksAhead = chunksAhead
        self.rowsPerSecond = rowsPerSecond
        self.nonce = nonce
        self.readingSince = now
    }

    /// Starts (or resumes, after its progress's last key) reading `progress`'s backfill.
    mutating func start(_ progress: BackfillProgress, catalog: TypeCatalog) {
        let id = progress.request.id
        if jobs[id] == nil { order.append(id) }
        jobs[id] = Job(progress: progress, nextKey: progress.lastKey, catalog: catalog, pending: progress.pendingKeys)
        hasStarted = true
    }

    /// Stops reading backfill `id` (its chunks are dropped with it).
    mutating func cancel(_ id: String) {
        jobs[id] = nil
        order.removeAll { $0 == id }
        dropPlans(of: id)
    }

    /// Reads backfill `id` again from just after `lastKey` (the key range again even when it had been
    /// read to its end), with `pending` keys, not before `seconds` after `now`; chunks read before
    /// are not kept (a new generation).
    mutating func restart(_ id: String, after lastKey: [String]?, pending: [[String]], pausing seconds: Double, now: UInt64) {
        guard var job = jobs[id] else { return }
        job.nextKey = lastKey
        job.rangeDone = false
        job.pending = pending
        job.notBefore = seconds > 0 ? now &+ UInt64(seconds * 1e9) : nil
        job.done = false
        job.inFlight = 0
        job.generation += 1
        jobs[id] = job
        dropPlans(of: id)
    }

    /// Reads `keys` of backfill `id` again with its next chunk.
    mutating func retry(_ id: String, keys: [[String]]) {
        guard var job = jobs[id] else { return }
        job.pending += keys
        job.done = false
        jobs[id] = job
    }

    /// Backfill `id` cannot go on: no more chunks of it are read.
    mutating func abort(_ id: String) {
        jobs[id]?.done = true
        dropPlans(of: id)
    }

    /// The plan of `chunk`, when it was announced and not taken or dropped since.
    func plan(for chunk: String) -> BackfillReader.Plan? {
        plans[chunk]
    }

    /// The reader announced `plan` (its low watermark follows).
    mutating func announce(_ plan: BackfillReader.Plan) {
        plans[plan.chunk] = plan
    }

    /// The stream took chunk `chunk` (or met its high watermark without the reader holding it).
    mutating func forget(_ chunk: String) {
        plans[chunk] = nil
    }

    /// The stream receives `chunk`: room for another chunk of its backfill.
    mutating func handedOut(_ chunk: BackfillReader.Chunk) {
        tookChunk(of: chunk.plan.backfill)
    }

    /// The stream took a chunk of backfill `id`.
    mutating func tookChunk(of id: String) {
        jobs[id]?.inFlight -= 1
    }

    /// The next chunk to read at `now` — the next backfill in turn with room for one and no pause —
    /// or how long to wait: until the first pause ends, or a second (to look again).
    mutating func next(now: UInt64) -> HandoffWait<Order> {
        var wakeAt = now &+ 1_000_000_000
        for step in 0..<order.count {
            let index = (cursor + step) % order.count
            let id = order[index]
            guard let job = jobs[id], !job.done, job.inFlight < chunksAhead else { continue }
            if let notBefore = job.notBefore, notBefore > now {
                wakeAt = min(wakeAt, notBefore)
                continue
            }
            cursor = index + 1
            chunkCounter += 1
            // The chunk takes the keys waiting to be read again.
            jobs[id]?.pending = []
            return .ready(Order(id: id, job: job, chunk: "\(nonce)-\(chunkCounter)"))
        }
        return .wait(until: wakeAt)
    }

    /// Reading `order`'s chunk failed (it is read again): its keys wait for the next chunk again.
    mutating func readFailed(_ order: Order) {
        plans[order.chunk] = nil
        jobs[order.id]?.pending += order.job.pending
    }

    /// `order`'s chunk was read, `rows` rows up to `lastKey`: `true` when it is kept for the stream,
    /// `false` when its backfill was cancelled or restarted meanwhile.
    mutating func chunkRead(_ order: Order, lastKey: [String]?, rangeDone: Bool, rows: Int) -> Bool {
        guard var current = jobs[order.id], current.generation == order.job.generation else {
            plans[order.chunk] = nil
            return false
        }
        current.inFlight += 1
        if let lastKey { current.nextKey = lastKey }
        current.rangeDone = rangeDone
        current.done = rangeDone && current.pending.isEmpty
        jobs[order.id] = current
        rowsRead += rows
        return true
    }

    /// When the rows read so far are due at ``rowsPerSecond`` (monotonic nanoseconds); `nil` without a limit.
    var throttledUntil: UInt64? {
        guard let rowsPerSecond, rowsPerSecond > 0 else { return nil }
        return readingSince &+ UInt64(Double(rowsRead) / rowsPerSecond * 1e9)
    }

    private mutating func dropPlans(of id: String) {
        for (key, plan) in plans where plan.backfill == id { plans[key] = nil }
    }
}
