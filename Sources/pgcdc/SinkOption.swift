import ArgumentParser

/// Where `pgcdc stream` writes: `stdout`, `file:PATH`, or `nats://HOST:PORT[,HOST:PORT...]`.
enum SinkOption: ExpressibleByArgument, Equatable {
    case stdout
    case file(path: String)
    case nats(servers: [String])

    init?(argument: String) {
        if argument == "stdout" {
            self = .stdout
        } else if argument.hasPrefix("file:"), argument.count > 5 {
            self = .file(path: String(argument.dropFirst(5)))
        } else if argument.hasPrefix("nats://") || argument.hasPrefix("tls://") {
            // nats://a:4222,b:4222 — every server after the first may omit the scheme.
            let scheme = argument.hasPrefix("tls://") ? "tls://" : "nats://"
            let servers = argument.dropFirst(scheme.count).split(separator: ",").map { part in
                part.contains("://") ? String(part) : scheme + part
            }
            guard !servers.isEmpty, servers.allSatisfy({ $0.count > scheme.count }) else { return nil }
            self = .nats(servers: servers)
        } else {
            return nil
        }
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

extension SinkOption {
    /// Whether it is `file:PATH`.
    var isFile: Bool {
        if case .file = self { return true }
        return false
    }

    /// The output file of `--sink file:PATH`.
    var filePath: String? {
        if case let .file(path) = self { return path }
        return nil
    }
}
