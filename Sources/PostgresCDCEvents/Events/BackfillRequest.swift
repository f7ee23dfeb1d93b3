import Foundation

/// A request to read a table's rows (all of them, or those a condition selects) into a running
/// stream, without stopping it: the rows arrive as ``ChangeEvent/read(_:)`` events with
/// ``RowChange/backfill`` set, interleaved with the live changes so that no row is ever handed out
/// with a value older than a change already handed out (see ``ChangeStream/requestBackfill(_:)``).
public struct BackfillRequest: Sendable, Hashable, Codable {
    /// The backfill's id: names its events and lets it be cancelled.
    public var id: String
    /// The table, `schema.table` (`table` alone means `public.table`).
    public var table: String
    /// A SQL condition on the table's columns (`created_at > now() - interval '1 day'`); `nil`
    /// reads every row the publication sends.
    public var whereClause: String?
    /// Rows read per chunk (one watermark pair and one query per chunk).
    public var chunkSize: Int

    /// The default rows per chunk.
    public static let defaultChunkSize = 4096

    /// A request for `table`'s rows, optionally only those `whereClause` selects; `id` defaults to
    /// a new random one.
    public init(table: String, whereClause: String? = nil, chunkSize: Int = BackfillRequest.defaultChunkSize, id: String? = nil) {
        self.table = table.contains(".") ? table : "public." + table
        self.whereClause = whereClause.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        self.chunkSize = chunkSize
        self.id = id ?? Self.newID()
    }

    /// `bf-` and 12 random hex digits.
    static func newID() -> String {
        "bf-" + String(UInt64.random(in: 0..<(1 << 48)), radix: 16).leftPadded(to: 12)
    }

    enum CodingKeys: String, CodingKey {
        case id, table
        case whereClause = "where"
        case chunkSize = "chunk_size"
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
