import Foundation
import PostgresCDC

extension CLIErrorMessage {
    /// `text` written by the library (a doctor finding, a sink's reason) with the settings it names
    /// spelled as the options that set them: `twoPhase = true` becomes `--two-phase`,
    /// `onGap = .resnapshot` becomes `--on-gap resnapshot`, and the NATS sink's
    /// `createStream = true` becomes `--nats-create-stream`. Text it does not know stays as it is.
    static func options(in text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let equals = rest.range(of: " = ") {
            let before = rest[..<equals.lowerBound]
            let name = before.reversed().prefix(while: Self.isNameCharacter)
            let valueStart = equals.upperBound
            var value = rest[valueStart...].prefix { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }
            // A sentence may end right after the value: `… with onGap = .resnapshot.`
            while value.hasSuffix(".") { value = value.dropLast() }
            let nameStart = before.index(before.endIndex, offsetBy: -name.count)
            if let setting = StreamSetting(rawValue: String(before[nameStart...])), !value.isEmpty {
                result += before[..<nameStart] + option(SettingValue(setting, String(value)))
                rest = rest[value.endIndex...]
            } else {
                result += rest[..<equals.upperBound]
                rest = rest[equals.upperBound...]
            }
        }
        result += rest
        for (library, cli) in natsPhrases { result = result.replacingOccurrences(of: library, with: cli) }
        return result
    }

    /// The NATS sink's reasons name its settings (`NATSSink.Configuration`'s properties); the CLI
    /// names the options. Whole phrases, as the verb changes with them.
    private static let natsPhrases = [
        ("or set createStream = true", "or pass --nats-create-stream"),
        ("or change subjects", "or change --nats-subject"),
    ]

    private static func isNameCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_"
    }
}
