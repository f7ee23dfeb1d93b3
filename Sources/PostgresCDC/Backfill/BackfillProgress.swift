/// How far one backfill got: its request and the primary key of the last row of the last chunk
/// that was handed out (the next chunk starts after it).
public struct BackfillProgress: Sendable, Hashable, Codable {
    /// What was asked for.
    public var request: BackfillRequest
    /// The last chunk's last primary key, in text form (column by column); `nil` before the first chunk.
    public var lastKey: [String]?
    /// Rows handed out so far.
    public var rows: Int
    /// Keys (text form, column by column) of rows to read again: an update left one of their TOAST
    /// values out while their chunk was read, so no event carries it.
    public var pendingKeys: [[String]] = []
    /// The planner's estimate of the table's rows when the backfill started (for progress).
    public var estimatedRows: Int

    /// Progress of `request`, before its first chunk.
    public init(request: BackfillRequest, lastKey: [String]? = nil, rows: Int = 0, estimatedRows: Int = 0) {
        self.request = request
        self.lastKey = lastKey
        self.rows = rows
        self.estimatedRows = estimatedRows
    }

    enum CodingKeys: String, CodingKey {
        case request
        case lastKey = "last_key"
        case rows
        case pendingKeys = "pending_keys"
        case estimatedRows = "estimated_rows"
    }
}

/// Every backfill of a stream as of one position: kept with the checkpoint (or beside the output
/// file), so that a restarted stream resumes each after its last stored chunk.
public struct BackfillState: Sendable, Hashable, Codable {
    /// The backfills in progress, in the order they were requested.
    public var active: [BackfillProgress] = []
    /// Ids of backfills that ended, most recent last (at most ``finishedLimit``): a repeated
    /// `--backfill` request at start is not run again.
    public var finished: [String] = []
    /// With `--backfill-new-tables`: the published tables (`schema.table`) whose rows the stream
    /// has, or is backfilling; `nil` until the first check.
    public var knownTables: [String]?

    /// How many finished ids are kept.
    public static let finishedLimit = 256

    /// No backfills.
    public init() {}

    /// Whether a backfill with `id` is in progress or ended.
    public func knows(_ id: String) -> Bool {
        active.contains { $0.request.id == id } || finished.contains(id)
    }

    mutating func finish(_ id: String) {
        active.removeAll { $0.request.id == id }
        finished.removeAll { $0 == id }
        finished.append(id)
        if finished.count > Self.finishedLimit { finished.removeFirst(finished.count - Self.finishedLimit) }
    }

    enum CodingKeys: String, CodingKey {
        case active, finished
        case knownTables = "known_tables"
    }
}
