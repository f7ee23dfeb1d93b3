import ArgumentParser

/// Where `pgcdc stream` writes: `stdout` or `file:PATH`.
enum SinkOption: ExpressibleByArgument, Equatable {
    case stdout
    case file(path: String)

    init?(argument: String) {
        if argument == "stdout" {
            self = .stdout
        } else if argument.hasPrefix("file:"), argument.count > 5 {
            self = .file(path: String(argument.dropFirst(5)))
        } else {
            return nil
        }
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// A byte count with an optional K, M or G suffix (powers of 1024): `64M`.
struct ByteSize: ExpressibleByArgument, Equatable {
    var bytes: Int

    init?(argument: String) {
        var digits = Substring(argument)
        var multiplier = 1
        switch digits.last?.uppercased() {
        case "K": multiplier = 1 << 10
        case "M": multiplier = 1 << 20
        case "G": multiplier = 1 << 30
        default: break
        }
        if multiplier > 1 { digits = digits.dropLast() }
        guard let value = Int(digits), value > 0 else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { return nil }
        bytes = product
    }
}
