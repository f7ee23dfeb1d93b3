import ArgumentParser
import PostgresCDC

/// `pgcdc stream`'s backfills: tables re-read while streaming, their rows interleaved with the changes.
struct BackfillOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Backfill these tables (schema.table, comma-separated) while streaming: their rows arrive as read events with a backfill id, "
                + "interleaved with the changes. Each is run once; kept with --checkpoint or the file sink across restarts.",
            valueName: "tables"))
    var backfill: String?

    @Flag(help: "Backfill every table that joins the publication while pgcdc streams (checked every 10 s).")
    var backfillNewTables = false

    @Option(help: ArgumentHelp("Rows per second that backfills read at most (default: no limit).", valueName: "rows"))
    var backfillRate: Double?

    @Option(help: ArgumentHelp("Rows per backfill chunk (one query and two watermark messages each).", valueName: "n"))
    var backfillChunkSize: Int = BackfillRequest.defaultChunkSize

    func validate() throws {
        if let backfill, backfill.split(separator: ",").contains(where: { $0.trimmingWhitespace().isEmpty }) {
            throw ValidationError("--backfill has an empty table name: \"\(backfill)\"")
        }
        if let backfillRate, backfillRate <= 0 || !backfillRate.isFinite {
            throw ValidationError("--backfill-rate must be a positive number of rows per second")
        }
        if !(1...1_000_000).contains(backfillChunkSize) { throw ValidationError("--backfill-chunk-size must be between 1 and 1000000") }
    }

}
