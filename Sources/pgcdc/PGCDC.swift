import ArgumentParser

@main
struct PGCDC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgcdc",
        abstract: "Stream committed PostgreSQL changes as JSON lines (logical replication, pgoutput).",
        subcommands: [StreamCommand.self, StatusCommand.self, SlotCommand.self, DemoCommand.self]
    )
}
