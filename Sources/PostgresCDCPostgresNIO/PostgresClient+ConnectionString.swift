import Foundation
import NIOSSL
import PostgresCDC
import PostgresNIO

extension PostgresClient.Configuration {
    /// The configuration for the server a libpq connection string names — the same DSN the job
    /// gives `StreamConfiguration` — in keyword form (`host=… port=… dbname=…`) or as
    /// a URI (`postgresql://user:password@host:port/db?sslmode=require`).
    ///
    /// Read as libpq reads them: `host` (a directory is a Unix socket), `hostaddr`, `port`, `user`,
    /// `password`, `dbname`, `connect_timeout`, `application_name`, and `sslmode` (`disable`;
    /// `allow` and `prefer`, TLS when the server offers it; `require`, TLS without checking the
    /// certificate; `verify-ca` and `verify-full`, checking it against `sslrootcert` or the system's
    /// roots); missing ones from `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`,
    /// `PGSSLMODE` in `environment`, then libpq's defaults. A connection string libpq cannot parse,
    /// more than one host, or an option postgres-nio cannot honour (client certificates, …) throws
    /// an error that names the option — never the connection string, which may carry a password.
    public init(connectionString dsn: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConnectionStringError)
    {
        guard let options = ConninfoOptions.parse(dsn) else { throw .notAConnectionString }
        let supported: Set<String> = [
            "host", "hostaddr", "port", "user", "password", "dbname", "sslmode", "sslrootcert", "connect_timeout", "application_name",
        ]
        if let unsupported = options.keys.sorted().first(where: { !supported.contains($0) }) {
            throw .unsupportedOption(unsupported)
        }
        func value(_ keyword: String, _ variable: String) -> String? {
            if let value = options[keyword], !value.isEmpty { return value }
            if let value = environment[variable], !value.isEmpty { return value }
            return nil
        }
        let host = value("hostaddr", "PGHOSTADDR") ?? value("host", "PGHOST") ?? "/var/run/postgresql"
        let portText = value("port", "PGPORT") ?? "5432"
        guard !host.contains(","), !portText.contains(",") else { throw .severalHosts }
        guard let port = Int(portText), (1...65_535).contains(port) else { throw .invalidValue(option: "port") }
        let user = value("user", "PGUSER") ?? ProcessInfo.processInfo.userName
        let password = value("password", "PGPASSWORD")
        let database = value("dbname", "PGDATABASE") ?? user

        if host.hasPrefix("/") {
            self.init(unixSocketPath: "\(host)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            self.init(
                host: host, port: port, username: user, password: password, database: database,
                tls: try Self.tls(mode: value("sslmode", "PGSSLMODE") ?? "prefer", rootCertificate: value("sslrootcert", "PGSSLROOTCERT")))
            if options["hostaddr"] != nil, let name = options["host"] { self.options.tlsServerName = name }
        }
        if let timeout = value("connect_timeout", "PGCONNECT_TIMEOUT") {
            guard let seconds = Int(timeout) else { throw .invalidValue(option: "connect_timeout") }
            if seconds > 0 { self.options.connectTimeout = .seconds(max(2, seconds)) }
        }
        if let name = value("application_name", "PGAPPNAME") {
            self.options.additionalStartupParameters.append(("application_name", name))
        }
    }

    private static func tls(mode: String, rootCertificate: String?) throws(ConnectionStringError) -> TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch mode {
        case "disable":
            return .disable
        case "allow", "prefer", "require":
            configuration.certificateVerification = .none
            return mode == "require" ? .require(configuration) : .prefer(configuration)
        case "verify-ca", "verify-full":
            configuration.certificateVerification = mode == "verify-ca" ? .noHostnameVerification : .fullVerification
            if let rootCertificate { configuration.trustRoots = .file(rootCertificate) }
            return .require(configuration)
        default:
            throw .invalidValue(option: "sslmode")
        }
    }
}

/// Why a connection string gives no `PostgresClient.Configuration`; it never repeats the string.
public enum ConnectionStringError: Error, Sendable, Hashable, CustomStringConvertible {
    /// libpq cannot parse it.
    case notAConnectionString
    /// It names more than one host (postgres-nio connects to one).
    case severalHosts
    /// It sets an option postgres-nio's configuration has no equivalent for.
    case unsupportedOption(String)
    /// An option's value is not one it takes.
    case invalidValue(option: String)

    public var description: String {
        switch self {
        case .notAConnectionString: return "the connection string is not valid (libpq cannot parse it)"
        case .severalHosts: return "the connection string names several hosts; a PostgresClient connects to one"
        case let .unsupportedOption(option): return "the connection string's option \(option) has no postgres-nio equivalent"
        case let .invalidValue(option): return "the connection string's \(option) is not valid"
        }
    }
}
