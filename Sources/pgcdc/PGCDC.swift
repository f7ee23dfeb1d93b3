import ArgumentParser
import Foundation

@main
struct PGCDC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgcdc",
        abstract: "Stream committed PostgreSQL changes as JSON lines (logical replication, pgoutput).",
        version: BuildInfo.versionLine,
        subcommands: [
            StreamCommand.self, BackfillCommand.self, StatusCommand.self, DoctorCommand.self, SlotCommand.self, DDLCommand.self,
            DemoCommand.self,
        ]
    )

    /// Every long option name of the subcommands, read from their help.
    static var knownOptions: Set<String> {
        let commands: [ParsableCommand.Type] = [
            StreamCommand.self, BackfillCommand.self, StatusCommand.self, DoctorCommand.self, SlotCommand.List.self, SlotCommand.Drop.self,
            DDLCommand.Install.self, DDLCommand.Uninstall.self, DemoCommand.self,
        ]
        var names = Set<String>()
        for command in commands {
            let help = helpMessage(for: command, columns: 1000)
            var rest = Substring(help)
            while let range = rest.range(of: "--") {
                let name = rest[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" }
                if !name.isEmpty { names.insert(String(name)) }
                rest = rest[range.upperBound...]
            }
        }
        return names
    }

    /// Expands `--config FILE` into options (the command line's own options win), then runs.
    static func main() {
        ConfigFile.warnAboutEnvironment()
        let arguments = Array(CommandLine.arguments.dropFirst())
        SecretWarnings.emit(SecretWarnings.commandLine(arguments))
        do {
            main(try ConfigFile.expand(arguments, knownOptions: knownOptions))
        } catch {
            FileHandleOutput.standardError("pgcdc: error: config \(error)\n")
            Foundation.exit(64)
        }
    }
}
