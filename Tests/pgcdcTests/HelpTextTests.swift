import Foundation
import TestSupport
import Testing

/// Every default the help shows reads as a user would type it (`64M`, not `ByteSize(bytes: 67108864)`).
@Suite struct HelpTextTests {
    static let commands = [["stream"], ["backfill"], ["status"], ["doctor"], ["slot", "list"], ["slot", "drop"], ["demo"]]

    @Test func everyDefaultInTheHelpIsWrittenAsItIsTyped() throws {
        for command in Self.commands {
            let help = try CLIProcess.run(command + ["--help"])
            #expect(help.status == 0, "\(command): \(help.stderr)")
            // The parser wraps long lines: join them before looking at a default.
            let text = help.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            var rest = Substring(text)
            while let range = rest.range(of: "(default: ") {
                let value = rest[range.upperBound...].prefix { $0 != ")" }
                #expect(!value.contains("("), "\(command.joined(separator: " ")): (default: \(value)")
                #expect(value.range(of: #"^[A-Z][A-Za-z]+\("#, options: .regularExpression) == nil, "\(value)")
                rest = rest[range.upperBound...]
            }
            #expect(!text.contains("(default 120). (default:"), "a default said twice")
        }
        let stream = try CLIProcess.run(["stream", "--help"]).stdout
        #expect(stream.contains("(default: 64M)"), "--max-memory's default")
    }
}
