import ArgumentParser
import PostgresCDC

/// `pgcdc backfill`: asks the stream running on a slot to re-read a table, lists or cancels backfills.
struct BackfillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Ask the stream running on a slot to backfill a table (or rows of it), without stopping it; list or cancel backfills.",
        discussion: """
            The request travels through the WAL as a logical decoding message naming the slot, so the stream meets it in commit \
            order, wherever it runs. The rows arrive as read events with a backfill id, between backfill_started and \
            backfill_completed lines. Needs PostgreSQL 14+ and a table with a primary key.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("The slot of the stream that should backfill.", valueName: "name"))
    var slot: String?

    @Option(help: ArgumentHelp("The table to backfill (schema.table; a bare name means public).", valueName: "table"))
    var table: String?

    @Option(
        name: .customLong("where"),
        help: ArgumentHelp("Only the rows this SQL condition selects (for example \"created_at > '2026-01-01'\").", valueName: "sql"))
    var whereClause: String?

    @Option(help: ArgumentHelp("Rows per chunk (one query and two watermark messages each).", valueName: "n"))
    var chunkSize: Int = BackfillRequest.defaultChunkSize

    @Option(help: ArgumentHelp("The backfill's id (default: a new random one, printed).", valueName: "id"))
    var id: String?

    @Flag(help: "List the backfills the stream keeps in its state file (give the stream's --checkpoint or --sink file:PATH).")
    var list = false

    @Option(help: ArgumentHelp("Cancel the backfill with this id.", valueName: "id"))
    var cancel: String?

    @Option(help: ArgumentHelp("With --list: the stream's checkpoint file.", valueName: "file"))
    var checkpoint: String?

    @Option(help: ArgumentHelp("With --list: the stream's sink (file:PATH).", valueName: "sink"))
    var sink: SinkOption?

    func validate() throws {
        if list {
            if checkpoint == nil && sink?.filePath == nil {
                throw ValidationError("--list reads the stream's backfill state: give its --checkpoint FILE or --sink file:PATH")
            }
            return
        }
        if connection.dsn.isEmpty { throw ValidationError("--dsn is required, or --dsn-file FILE") }
        guard let slot, !slot.isEmpty else { throw ValidationError("--slot is required: the slot of the stream that should backfill") }
        if cancel != nil {
            if table != nil { throw ValidationError("--cancel takes no --table") }
            return
        }
        guard let table, !table.isEmpty else { throw ValidationError("--table is required (or --list, or --cancel ID)") }
        if !(1...1_000_000).contains(chunkSize) { throw ValidationError("--chunk-size must be between 1 and 1000000") }
        if let id, id.isEmpty || id.contains(where: { $0.isWhitespace }) { throw ValidationError("--id must be a word without spaces") }
    }

    func run() throws {
        do {
            if list {
                guard let path = BackfillLedger.defaultPath(checkpoint: checkpoint, outputFile: sink?.filePath) else { return }
                try FileHandleOutput.standardOutput(BackfillTable.render(try BackfillControl.list(statePath: path)))
                return
            }
            guard let slot else { return }
            if let cancel {
                try BackfillControl.cancel(id: cancel, slot: slot, dsn: connection.dsn)
                FileHandleOutput.standardError("asked the stream on slot \"\(slot)\" to cancel backfill \(cancel)\n")
                return
            }
            guard let table else { return }
            let request = BackfillRequest(table: table, whereClause: whereClause, chunkSize: chunkSize, id: id)
            try BackfillControl.request(request, slot: slot, dsn: connection.dsn)
            try FileHandleOutput.standardOutput(request.id + "\n")
            FileHandleOutput.standardError("asked the stream on slot \"\(slot)\" to backfill \(request.table) as \(request.id)\n")
        } catch {
            throw CLIFailure.report(error, options: connection)
        }
    }
}

/// The aligned text table `backfill --list` prints.
enum BackfillTable {
    static func render(_ state: BackfillState) -> String {
        let header = ["id", "table", "rows", "estimated_rows", "last_key", "where"]
        let rows = state.active.map { progress in
            [
                progress.request.id, progress.request.table, String(progress.rows), String(progress.estimatedRows),
                progress.lastKey?.joined(separator: ",") ?? "", progress.request.whereClause ?? "",
            ]
        }
        var text = TextTable.render(header: header, rows: rows)
        if !state.finished.isEmpty { text += "finished: " + state.finished.suffix(20).joined(separator: ", ") + "\n" }
        return text
    }
}
