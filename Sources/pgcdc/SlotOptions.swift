import ArgumentParser
import PostgresCDC

/// `pgcdc stream`'s slot and publication: which to read, whether to create them, where in the slot
/// to start and stop, and what to do when the slot cannot continue.
struct SlotOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Logical replication slot to stream from (plugin pgoutput).", valueName: "name"))
    var slot: String

    @Option(help: ArgumentHelp("Publication that selects the tables.", valueName: "name"))
    var publication: String

    @Flag(help: "Create the slot if it does not exist.")
    var createSlot = false

    @Flag(help: "Create the slot as TEMPORARY: it disappears when pgcdc disconnects (implies --create-slot).")
    var temporarySlot = false

    @Flag(help: "Create the publication if it does not exist (FOR ALL TABLES, or for --tables).")
    var createPublication = false

    @Option(
        help: ArgumentHelp(
            "With --create-publication: the tables to publish, comma-separated (schema.table or table).", valueName: "s.t,..."))
    var tables: String?

    @Option(help: ArgumentHelp("Start at this LSN instead of the slot's confirmed position (X/Y).", valueName: "lsn"))
    var startLSN: LSN?

    @Option(
        help: ArgumentHelp(
            "Stop (exit 0) once every transaction committed at or before this LSN is written, like pg_recvlogical --endpos.",
            valueName: "lsn"))
    var endLSN: LSN?

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "On PostgreSQL 17+, create the slot with FAILOVER, so that standbys with sync_replication_slots keep a copy a promoted "
                + "standby can continue from (default on).")
    )
    var failoverSlot = true

    @Option(
        help: ArgumentHelp(
            "When the slot cannot continue what a checkpoint or the output file holds (missing, invalidated, or confirmed past the "
                + "checkpoint): refuse (default) or resnapshot (re-create it and copy the tables again).",
            valueName: "policy"))
    var onGap: GapPolicy = .refuse

    @Option(
        help: ArgumentHelp(
            "When the checkpoint (or the output file) holds no position but the slot exists and has moved on — a rebuilt target, a "
                + "lost checkpoint: refuse (default), resnapshot (drop the slot and copy the tables again) or continue (stream on "
                + "from the slot's position). Not asked with --snapshot never or --start-lsn, nor for stdout.",
            valueName: "policy"))
    var onEmptyStore: EmptyStorePolicy = .refuse

    func validate() throws {
        if slot.isEmpty { throw ValidationError("--slot must not be empty") }
        if publication.isEmpty { throw ValidationError("--publication must not be empty") }
        if tables != nil && !createPublication { throw ValidationError("--tables only applies with --create-publication") }
        if let tables, tables.split(separator: ",").contains(where: { $0.trimmingWhitespace().isEmpty }) {
            throw ValidationError("--tables has an empty name: \"\(tables)\"")
        }
        if let startLSN, let endLSN, endLSN < startLSN { throw ValidationError("--end-lsn \(endLSN) is before --start-lsn \(startLSN)") }
    }

}
