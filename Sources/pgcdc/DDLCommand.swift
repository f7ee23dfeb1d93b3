import ArgumentParser
import PostgresCDC

struct DDLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ddl",
        abstract: "Install or remove the event trigger that puts DDL commands in the stream as op \"ddl\" lines.",
        discussion: """
            pgoutput carries no DDL. `ddl install` creates, in the database of --dsn, two event triggers (ddl_command_end, \
            sql_drop) and their functions in schema pgcdc; each DDL command then sends a transactional logical decoding \
            message (prefix pgcdc.ddl) that every stream of the database writes as an op "ddl" line, in commit order with the \
            rows. Needs a superuser (CREATE EVENT TRIGGER) and PostgreSQL 14+ streams. `pgcdc doctor` says whether it is installed.
            """,
        subcommands: [Install.self, Uninstall.self]
    )

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create (or replace) the DDL event triggers; needs a superuser.")

        @OptionGroup var connection: ConnectionOptions

        func validate() throws {
            if connection.dsn.isEmpty { throw ValidationError("--dsn is required, or --dsn-file FILE") }
        }

        func run() throws {
            do {
                try DDLTrigger.install(dsn: connection.dsn)
                FileHandleOutput.standardError("installed the DDL event triggers: DDL commands now reach every stream of this database\n")
            } catch {
                throw CLIFailure.report(error)
            }
        }
    }

    struct Uninstall: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Drop the DDL event triggers and their functions.")

        @OptionGroup var connection: ConnectionOptions

        func validate() throws {
            if connection.dsn.isEmpty { throw ValidationError("--dsn is required, or --dsn-file FILE") }
        }

        func run() throws {
            do {
                try DDLTrigger.uninstall(dsn: connection.dsn)
                FileHandleOutput.standardError("removed the DDL event triggers\n")
            } catch {
                throw CLIFailure.report(error)
            }
        }
    }
}
