import Foundation
import PostgresCDC

/// Warnings about secrets left where other users of the host can read them: a password or token
/// on the command line, a file holding one that its group or others may read. They never repeat
/// the secret.
enum SecretWarnings {
    /// Warnings for the secrets in `arguments`, the command line as typed (before `--config` is read).
    static func commandLine(_ arguments: [String]) -> [String] {
        var warnings: [String] = []
        for (option, value) in optionValues(arguments, names: ["--dsn", "--nats-token"]) {
            switch option {
            case "--dsn" where DSNSecrets.containsPassword(value):
                warnings.append(
                    "the password in --dsn is visible to every user of this host (ps, /proc); use --dsn-file, PGPASSWORD or ~/.pgpass")
            case "--nats-token":
                warnings.append("--nats-token is visible to every user of this host (ps, /proc); use --nats-token-file")
            default: break
            }
        }
        return warnings
    }

    /// A warning when the file at `path`, holding `secret` (e.g. "a password"), is open to its group or others.
    static func file(_ path: String, holding secret: String) -> String? {
        guard SecretFile.isOpenToOthers(path) else { return nil }
        return "\(path) holds \(secret) and other users can read it; run chmod 600 \(path)"
    }

    /// Warnings for a config file at `path` whose options are `options`.
    static func configFile(_ path: String, options: [String]) -> [String] {
        let values = optionValues(options, names: ["--dsn", "--nats-token"])
        let password = values.contains { $0.option == "--dsn" && DSNSecrets.containsPassword($0.value) }
        let token = values.contains { $0.option == "--nats-token" }
        guard password || token else { return [] }
        return file(path, holding: password ? "a password" : "a NATS token").map { [$0] } ?? []
    }

    /// Prints `warnings` on stderr, one `pgcdc: warning:` line each.
    static func emit(_ warnings: [String]) {
        for warning in warnings { FileHandleOutput.standardError("pgcdc: warning: \(warning)\n") }
    }

    /// The values of the options `names` in `arguments` (`--name value` and `--name=value`).
    private static func optionValues(_ arguments: [String], names: Set<String>) -> [(option: String, value: String)] {
        var found: [(option: String, value: String)] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument == "--" { break }
            if names.contains(argument), index + 1 < arguments.endIndex {
                found.append((argument, arguments[index + 1]))
                index += 1
            } else if let equals = argument.firstIndex(of: "="), names.contains(String(argument[..<equals])) {
                found.append((String(argument[..<equals]), String(argument[argument.index(after: equals)...])))
            }
            index += 1
        }
        return found
    }
}
