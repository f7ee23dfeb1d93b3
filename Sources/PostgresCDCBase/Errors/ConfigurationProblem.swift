/// A setting of ``StreamConfiguration`` that cannot be honoured, as data: what was asked for and
/// what it needs. The library describes it with property names; a front end (the CLI) renders
/// the same data with its own option names (see ``StreamSetting``).
public struct ConfigurationProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// What a setting needs that it does not have.
    public enum Requirement: Sendable, Hashable {
        /// One of these values.
        case oneOf([String])
        /// Another setting (for example `preparedTransactionsDirectory`).
        case setting(SettingValue)
        /// At least this pgoutput protocol version, and at least this PostgreSQL major version
        /// when not `nil`.
        case protocolVersion(minimum: Int, minimumServer: Int?)
        /// At least this PostgreSQL major version.
        case server(minimum: Int)
        /// A newer server than one that speaks pgoutput up to `supportedProtocol`.
        case newerServer(supportedProtocol: Int)
        /// A writable directory.
        case writableDirectory
        /// A table name of the form `schema.table` or `table`.
        case tableName
        /// A new replication slot; `slot` exists.
        case newSlot(slot: String)
        /// A slot without FAILOVER on PostgreSQL 17, which does not sync a slot's two-phase state
        /// to standbys; `existing` names the failover slot that exists.
        case noFailoverSlot(existing: String?)
    }

    /// The setting (and value) that cannot be honoured.
    public var subject: SettingValue
    /// What it needs.
    public var requirement: Requirement
    /// The server that decided it, when a server did.
    public var server: ServerVersion?

    /// A problem with `subject`, found on `server` when a server decided it.
    public init(_ subject: SettingValue, needs requirement: Requirement, server: ServerVersion? = nil) {
        self.subject = subject
        self.requirement = requirement
        self.server = server
    }

    /// In the library's words.
    public var description: String {
        render(name: { $0.description })
    }

    /// The problem in a front end's words: `name` spells a setting with its value (the CLI gives
    /// its option for `streaming = .parallel`).
    public func render(name: (SettingValue) -> String) -> String {
        let subject = name(self.subject)
        switch requirement {
        case let .oneOf(values):
            return "\(name(SettingValue(self.subject.setting))) must be \(Self.list(values, last: "or"))"
        case let .setting(other):
            return "\(subject) needs \(name(other))"
        case let .protocolVersion(minimum, minimumServer):
            let version = name(SettingValue(.protocolVersion, String(minimum)))
            let needs = minimumServer.map { "\(version) or later and PostgreSQL \($0) or later" } ?? "\(version) or later"
            return "\(subject) needs \(needs)" + (server.map { " (\($0))" } ?? "")
        case let .server(minimum):
            return "\(subject) needs PostgreSQL \(minimum) or later" + (server.map { "; \($0)" } ?? "")
        case let .newerServer(supported):
            return "\(subject) needs a newer server" + (server.map { ": \($0), which speaks pgoutput up to version \(supported)" } ?? "")
        case .writableDirectory:
            return "\(subject) is not a writable directory"
        case .tableName:
            return
                "invalid table name \"\(self.subject.value ?? "")\" in \(name(SettingValue(self.subject.setting))): expected "
                + "schema.table or table"
        case let .newSlot(slot):
            return "\(subject) needs a new slot, and \"\(slot)\" exists: drop it or use \(name(SettingValue(.snapshot, "never")))"
        case let .noFailoverSlot(existing):
            let failover = name(SettingValue(.failoverSlot, "true"))
            let instead = name(SettingValue(.failoverSlot, "false"))
            let fix = existing.map { "drop slot \"\($0)\" (a failover slot) and start again with \(instead)" } ?? "use \(instead)"
            return "\(subject) cannot be used with a failover slot (\(failover)) on PostgreSQL 17, which does not sync a slot's "
                + "two-phase state to standbys: after a promotion, transactions prepared before it could be lost; \(fix), or "
                + "PostgreSQL 18, which fixes this"
        }
    }

    private static func list(_ items: [String], last: String) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " \(last) " + (items.last ?? "")
    }
}

/// A server, as a ``ConfigurationProblem`` names it.
public struct ServerVersion: Sendable, Hashable, CustomStringConvertible {
    /// `host:port`.
    public var host: String
    /// The PostgreSQL major version (`server_version_num / 10000`).
    public var majorVersion: Int

    /// A server.
    public init(host: String, majorVersion: Int) {
        self.host = host
        self.majorVersion = majorVersion
    }

    /// `host runs PostgreSQL N`.
    public var description: String { "\(host) runs PostgreSQL \(majorVersion)" }
}
