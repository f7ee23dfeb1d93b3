import ArgumentParser
import PostgresCDC

struct SlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slot",
        abstract: "List or drop replication slots.",
        subcommands: [List.self, Drop.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the server's replication slots: name, plugin, active, restart_lsn, confirmed_flush_lsn, WAL retained."
        )

        @OptionGroup var connection: ConnectionOptions

        func validate() throws {
            if connection.dsn.isEmpty { throw ValidationError("--dsn is required, or --dsn-file FILE") }
        }

        func run() throws {
            do {
                let slots = try ReplicationSlots.list(dsn: connection.dsn)
                try FileHandleOutput.standardOutput(SlotTable.render(slots))
            } catch {
                throw CLIFailure.report(error)
            }
        }
    }

    struct Drop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Drop a replication slot (its retained WAL is released).")

        @OptionGroup var connection: ConnectionOptions

        @Argument(help: "The slot to drop.")
        var name: String

        func validate() throws {
            if connection.dsn.isEmpty { throw ValidationError("--dsn is required, or --dsn-file FILE") }
        }

        func run() throws {
            do {
                try ReplicationSlots.drop(name, dsn: connection.dsn)
                FileHandleOutput.standardError("dropped replication slot \"\(name)\"\n")
            } catch {
                throw CLIFailure.report(error)
            }
        }
    }
}

/// The aligned text table `slot list` prints.
enum SlotTable {
    static func render(_ slots: [ReplicationSlotInfo]) -> String {
        let header = ["slot_name", "plugin", "type", "database", "active", "restart_lsn", "confirmed_flush_lsn", "wal_retained_bytes"]
        let rows = slots.map { slot in
            [
                slot.name, slot.plugin ?? "", slot.type, slot.database ?? "", slot.active ? "yes" : "no",
                slot.restartLSN?.description ?? "", slot.confirmedFlushLSN?.description ?? "",
                slot.walRetainedBytes.map(String.init) ?? "",
            ]
        }
        return TextTable.render(header: header, rows: rows)
    }
}
