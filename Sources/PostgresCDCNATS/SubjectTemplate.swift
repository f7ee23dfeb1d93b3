/// Builds NATS subjects for events from a template such as `pgcdc.{schema}.{table}`.
///
/// Names become single subject tokens: `.`, `*`, `>` and whitespace (which NATS gives meaning or
/// forbids) are replaced by `_`, and an empty name becomes `_`.
public struct SubjectTemplate: Sendable, Equatable {
    /// The template for row and truncate events, with `{schema}` and `{table}`.
    public let template: String
    /// The first token of the template (`pgcdc`), under which messages and transactions go.
    public let root: String

    /// A template; it must contain `{table}`, start with a literal token, and have no wildcards.
    public init?(_ template: String) {
        guard template.contains("{table}"), !template.contains("*"), !template.contains(">"),
            !template.hasPrefix("."), !template.hasSuffix("."), !template.contains(".."),
            let first = template.split(separator: ".").first, !first.contains("{"), first.count < template.count
        else { return nil }
        self.template = template
        self.root = String(first)
    }

    /// The subject of a row or truncate event of `schema.table`.
    public func table(schema: String, table: String) -> String {
        template.replacingOccurrences(of: "{schema}", with: Self.token(schema)).replacingOccurrences(of: "{table}", with: Self.token(table))
    }

    /// The subject of a logical decoding message: `ROOT._messages.PREFIX`.
    public func message(prefix: String) -> String { "\(root)._messages.\(Self.token(prefix))" }

    /// The subject of begin and commit lines: `ROOT._transactions`.
    public var transactions: String { "\(root)._transactions" }

    /// The subject a stream that pgcdc creates captures: everything under the root.
    public var streamSubject: String { "\(root).>" }

    /// Wildcard subjects that cover everything this template can produce.
    public var wildcards: [String] {
        let tables = template.split(separator: ".").map { $0.contains("{") ? "*" : String($0) }.joined(separator: ".")
        return [tables, "\(root)._messages.*", transactions]
    }

    /// `name` as one subject token.
    static func token(_ name: String) -> String {
        guard !name.isEmpty else { return "_" }
        return String(name.map { $0 == "." || $0 == "*" || $0 == ">" || $0.isWhitespace ? "_" : $0 })
    }

    /// Whether a stream subject (possibly with `*` and `>`) matches every subject `pattern` matches.
    static func covers(_ streamSubject: String, _ pattern: String) -> Bool {
        let stream = streamSubject.split(separator: ".", omittingEmptySubsequences: false)
        let wanted = pattern.split(separator: ".", omittingEmptySubsequences: false)
        for (index, token) in stream.enumerated() {
            if token == ">" { return index < wanted.count }
            guard index < wanted.count else { return false }
            if token == "*" {
                if wanted[index] == ">" { return false }
                continue
            }
            if token != wanted[index] { return false }
        }
        return stream.count == wanted.count
    }
}
