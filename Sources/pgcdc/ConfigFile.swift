import Foundation

/// `--config FILE`: a TOML file whose keys are the long option names of the subcommand
/// (`slot = "app"`, `create-slot = true`, `snapshot-jobs = 4`, `exclude-tables = ["audit_*"]`;
/// `snake_case` works too, and keys under `[nats]` become `nats-…` options).
///
/// The file's options are placed before those of the command line, so a flag given on the
/// command line wins over the file. pgcdc reads no `PGCDC_*` environment variables; when some are
/// set it says so on stderr rather than ignoring them silently.
enum ConfigFile {
    struct Failure: Error, CustomStringConvertible {
        var path: String
        var line: Int
        var reason: String
        var description: String { "\(path):\(line): \(reason)" }
    }

    /// `arguments` with `--config FILE` replaced by the file's options, inserted after the subcommand.
    /// `knownOptions` is evaluated only when there is a file to check (it reads every command's help:
    /// about 20 ms, a start-up cost every run would pay otherwise).
    static func expand(_ arguments: [String], knownOptions: @autoclosure () -> Set<String> = []) throws -> [String] {
        guard let index = arguments.firstIndex(where: { $0 == "--config" || $0.hasPrefix("--config=") }) else { return arguments }
        var rest = arguments
        let path: String
        if rest[index] == "--config" {
            guard index + 1 < rest.count else { throw Failure(path: "--config", line: 0, reason: "needs a file path") }
            path = rest[index + 1]
            rest.removeSubrange(index...(index + 1))
        } else {
            path = String(rest[index].dropFirst("--config=".count))
            rest.remove(at: index)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(path: path, line: 0, reason: "cannot be read")
        }
        let options = try parse(String(decoding: data, as: UTF8.self), path: path, knownOptions: knownOptions())
        SecretWarnings.emit(SecretWarnings.configFile(path, options: options))
        // After the subcommand names (stream, slot list, ...), before everything else.
        let insertAt = rest.firstIndex { $0.hasPrefix("-") } ?? rest.count
        rest.insert(contentsOf: options, at: insertAt)
        return rest
    }

    /// The command-line options a TOML text stands for.
    static func parse(_ text: String, path: String, knownOptions: Set<String> = []) throws -> [String] {
        var options: [String] = []
        var section = ""
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = stripComment(rawLine).trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            func fail(_ reason: String) -> Failure { Failure(path: path, line: number + 1, reason: reason) }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else { throw fail("a section is written [name]") }
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { throw fail("expected key = value") }
            var key = line[..<equals].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "-")
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
                throw fail("\"\(key)\" is not an option name")
            }
            if !section.isEmpty { key = "\(section)-\(key)" }
            if !knownOptions.isEmpty && !knownOptions.contains(key) && !knownOptions.contains("no-\(key)") {
                throw fail("unknown option \"\(key)\" (keys are the long option names of pgcdc's commands)")
            }
            let value = try parseValue(line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)) { fail("\(key): \($0)") }
            switch value {
            case .flag(true): options.append("--\(key)")
            case .flag(false):
                // `messages = false` → `--no-messages`; a plain flag set to false is left out.
                if knownOptions.isEmpty ? key == "messages" : knownOptions.contains("no-\(key)") { options.append("--no-\(key)") }
            case let .text(text): options += ["--\(key)", text]
            }
        }
        return options
    }

    private enum Value {
        case flag(Bool)
        case text(String)
    }

    private static func parseValue(_ text: String, fail: (String) -> Failure) throws -> Value {
        if text == "true" { return .flag(true) }
        if text == "false" { return .flag(false) }
        if text.hasPrefix("[") {
            guard text.hasSuffix("]") else { throw fail("an array ends with ] on the same line") }
            let inner = text.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
            if inner.isEmpty { return .text("") }
            var items: [String] = []
            for item in splitArray(inner) {
                guard case let .text(value) = try parseValue(item.trimmingCharacters(in: .whitespaces), fail: fail) else {
                    throw fail("arrays hold strings or numbers")
                }
                items.append(value)
            }
            return .text(items.joined(separator: ","))
        }
        if text.hasPrefix("\"") {
            guard text.count >= 2, text.hasSuffix("\"") else { throw fail("unterminated string") }
            var result = ""
            var escaped = false
            for character in text.dropFirst().dropLast() {
                if escaped {
                    switch character {
                    case "n": result.append("\n")
                    case "t": result.append("\t")
                    default: result.append(character)
                    }
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else {
                    result.append(character)
                }
            }
            return .text(result)
        }
        if text.hasPrefix("'") {
            guard text.count >= 2, text.hasSuffix("'") else { throw fail("unterminated string") }
            return .text(String(text.dropFirst().dropLast()))
        }
        guard Double(text.replacingOccurrences(of: "_", with: "")) != nil else {
            // The value is not repeated: it may be a DSN with a password.
            throw fail("the value is not a string, number or boolean (quote strings)")
        }
        return .text(text.replacingOccurrences(of: "_", with: ""))
    }

    /// Splits `a, "b,c", 3` at the commas outside quotes.
    private static func splitArray(_ text: String) -> [String] {
        var items: [String] = []
        var current = ""
        var quote: Character?
        for character in text {
            if let open = quote {
                if character == open { quote = nil }
                current.append(character)
            } else if character == "\"" || character == "'" {
                quote = character
                current.append(character)
            } else if character == "," {
                items.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        items.append(current)
        return items
    }

    /// The line without a `#` comment (outside quotes).
    private static func stripComment(_ line: Substring) -> String {
        var quote: Character?
        var result = ""
        for character in line {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#" {
                break
            }
            result.append(character)
        }
        return result
    }

    /// Says on stderr that `PGCDC_*` variables are not read.
    static func warnAboutEnvironment() {
        let names = ProcessInfo.processInfo.environment.keys.filter { $0.hasPrefix("PGCDC_") }.sorted()
        guard !names.isEmpty else { return }
        FileHandleOutput.standardError(
            "pgcdc: warning: ignoring \(names.joined(separator: ", ")): pgcdc takes its settings from options and --config only\n")
    }
}
