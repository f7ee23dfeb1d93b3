import ArgumentParser
import PostgresCDC

/// `pgcdc stream`'s snapshot: whether the existing rows are copied first, and how.
struct SnapshotOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Copy the existing rows first: never, initial, initial-only, when-needed (default: initial when pgcdc creates the slot, "
                + "never otherwise).",
            valueName: "mode"))
    var snapshot: SnapshotMode?

    @Option(
        help: ArgumentHelp(
            "Connections that copy tables in parallel during a snapshot; a large table is split into ranges of its pages.",
            valueName: "n"))
    var snapshotJobs = 1

    @Flag(help: "Print a progress line per snapshot table on stderr even when stderr is not a terminal.")
    var progress = false

    func validate() throws {
        if snapshotJobs < 1 || snapshotJobs > 64 { throw ValidationError("--snapshot-jobs must be between 1 and 64") }
    }
}
