/// The part of a table one snapshot job copies: all of it, or a range of its pages (by `ctid`,
/// which PostgreSQL 14+ scans as a TID range, reading only those pages).
struct SnapshotPiece: Sendable, Equatable {
    /// The table's number in ``SnapshotReader/tables``.
    var table: Int
    /// The first page of the range; `nil` from the start.
    var firstPage: Int?
    /// The page after the range; `nil` to the end (pages added after the size was read included).
    var endPage: Int?

    /// The condition that selects the piece's rows; `nil` for the whole table.
    var condition: String? {
        let bounds = [firstPage.map { "ctid >= '(\($0),0)'::tid" }, endPage.map { "ctid < '(\($0),0)'::tid" }].compactMap { $0 }
        return bounds.isEmpty ? nil : bounds.joined(separator: " AND ")
    }

    /// A table is split only into ranges of at least this many pages (8 MiB at the default size).
    static let minimumPages = 1024
    /// Ranges per job, so that jobs finishing early take over the rest.
    static let rangesPerJob = 4

    /// The pieces of table `table` of `pages` pages, for `jobs` jobs: the whole table, or up to
    /// `jobs × rangesPerJob` ranges of at least ``minimumPages`` pages.
    static func pieces(ofTable table: Int, pages: Int, jobs: Int) -> [SnapshotPiece] {
        let count = min(jobs * rangesPerJob, pages / minimumPages)
        guard jobs > 1, count > 1 else { return [SnapshotPiece(table: table)] }
        let size = (pages + count - 1) / count
        return (0..<count).map { index in
            SnapshotPiece(table: table, firstPage: index == 0 ? nil : index * size, endPage: index == count - 1 ? nil : (index + 1) * size)
        }
    }

    /// The pieces of `tables` for `jobs` jobs, their sizes read on `connection` (inside the
    /// snapshot's transaction). A partitioned table (its rows are in its partitions) and any table
    /// before PostgreSQL 14 (a ctid range would be a full scan per piece) stay whole.
    static func split(_ tables: [SnapshotTable], jobs: Int, on connection: PostgresConnection) throws(ReplicationError) -> [SnapshotPiece] {
        let splittable = tables.filter { !$0.isPartitioned }
        guard jobs > 1, connection.serverVersion >= 140000, !splittable.isEmpty else {
            return tables.indices.map { SnapshotPiece(table: $0) }
        }
        let sizes = try connection.execute(
            """
            SELECT c.oid, pg_relation_size(c.oid) / current_setting('block_size')::bigint AS pages
            FROM pg_class c WHERE c.oid = ANY($1::oid[])
            """, parameters: ["{\(splittable.map { String($0.message.oid) }.joined(separator: ","))}"])
        var pages: [UInt32: Int] = [:]
        for row in sizes.rows.indices {
            if let oid = sizes.value(row, "oid").flatMap({ UInt32($0) }), let count = sizes.value(row, "pages").flatMap({ Int($0) }) {
                pages[oid] = count
            }
        }
        return tables.indices.flatMap { index in
            tables[index].isPartitioned
                ? [SnapshotPiece(table: index)] : pieces(ofTable: index, pages: pages[tables[index].message.oid] ?? 0, jobs: jobs)
        }
    }
}
