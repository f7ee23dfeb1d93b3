import Foundation

/// A throwaway PostgreSQL for tests: a new cluster on 127.0.0.1 and a free port, ready for logical
/// replication (`wal_level=logical`, trust authentication for the superuser `postgres`).
///
/// ```swift
/// let server = try LocalPostgresServer.start()
/// defer { server.stop() }
/// try server.psql("CREATE TABLE orders (id int PRIMARY KEY)")
/// let dsn = server.dsn()        // host=127.0.0.1 port=… user=postgres dbname=postgres
/// ```
///
/// Everything lives in one temporary directory, removed by ``stop()``. Durability is off (`fsync`,
/// `synchronous_commit`, `full_page_writes`): the server is fast and not meant to survive a power loss.
/// When the process runs as root, the server runs as the `postgres` OS user (PostgreSQL refuses root).
public final class LocalPostgresServer: Sendable {
    /// How to start a ``LocalPostgresServer``: which binaries, extra settings, where its directory goes.
    public struct Options: Sendable {
        /// Where initdb, pg_ctl, postgres and psql are; `nil` finds them (see ``findBinDirectory()``).
        public var binDirectory: String?
        /// Extra `postgresql.conf` settings, overriding the defaults (for example `["max_wal_senders": "20"]`).
        public var extraSettings: [String: String] = [:]
        /// Where the temporary directory is made (default: `NSTemporaryDirectory()`).
        public var parentDirectory: String = NSTemporaryDirectory()
        /// The server's certificate and key, to listen with `ssl = on` (default `nil`: no TLS).
        public var tls: TLSFiles?
        /// `pg_hba.conf` lines placed before the default trust lines, so they win (the first match
        /// does): for example `hostssl certonly all 127.0.0.1/32 cert` to require client certificates
        /// for the database `certonly`.
        public var hbaRules: [String] = []

        /// Options with the given binaries and settings; every option left out keeps its default.
        public init(binDirectory: String? = nil, extraSettings: [String: String] = [:], parentDirectory: String = NSTemporaryDirectory()) {
            self.binDirectory = binDirectory
            self.extraSettings = extraSettings
            self.parentDirectory = parentDirectory
        }

        /// Options with TLS files and `pg_hba.conf` rules as well.
        public init(
            binDirectory: String? = nil, extraSettings: [String: String] = [:], parentDirectory: String = NSTemporaryDirectory(),
            tls: TLSFiles?, hbaRules: [String] = []
        ) {
            self.init(binDirectory: binDirectory, extraSettings: extraSettings, parentDirectory: parentDirectory)
            self.tls = tls
            self.hbaRules = hbaRules
        }
    }

    /// The address it listens on: always 127.0.0.1.
    public let host = "127.0.0.1"
    /// The TCP port it listens on, found free when it started.
    public let port: Int
    /// The cluster's data directory (inside the temporary directory).
    public let dataDirectory: String
    /// The directory holding the server binaries it runs.
    public let binDirectory: String
    let rootDirectory: String
    let runAsPostgres: Bool
    private let stopped = StopFlag()

    init(port: Int, dataDirectory: String, binDirectory: String, rootDirectory: String, runAsPostgres: Bool) {
        self.port = port
        self.dataDirectory = dataDirectory
        self.binDirectory = binDirectory
        self.rootDirectory = rootDirectory
        self.runAsPostgres = runAsPostgres
    }

    /// A libpq DSN to connect to `database` as the superuser `postgres` (trust authentication, no password).
    public func dsn(database: String = "postgres") -> String {
        "host=\(host) port=\(port) user=postgres dbname=\(Self.conninfoValue(database))"
    }

    /// `value` as a libpq conninfo value: as it is when it is one plain word, else single-quoted
    /// with `\` and `'` escaped (libpq, "Connection Strings": Keyword/Value Connection Strings).
    static func conninfoValue(_ value: String) -> String {
        let plain = !value.isEmpty && value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        if plain { return value }
        return "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// Whether this process runs as root.
    package static var currentUserIsRoot: Bool { geteuid() == 0 }

    /// The server binaries ``start(_:)`` uses when ``Options/binDirectory`` is `nil`, or `nil` when
    /// none are installed (a test can skip then): the highest `/usr/lib/postgresql/*/bin` with initdb
    /// and postgres, else `pg_config --bindir`, else the directory of `initdb` on PATH.
    public static func findBinDirectory() -> String? {
        let fileManager = FileManager.default
        let debianRoot = "/usr/lib/postgresql"
        let versions = ((try? fileManager.contentsOfDirectory(atPath: debianRoot)) ?? [])
            .compactMap { Int($0) }.sorted(by: >)
        for version in versions {
            let bin = "\(debianRoot)/\(version)/bin"
            if fileManager.isExecutableFile(atPath: bin + "/initdb") && fileManager.isExecutableFile(atPath: bin + "/postgres") {
                return bin
            }
        }
        if let output = try? ProcessRunner.run("/usr/bin/env", ["pg_config", "--bindir"]), output.status == 0 {
            let bin = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            if fileManager.isExecutableFile(atPath: bin + "/initdb") { return bin }
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            if fileManager.isExecutableFile(atPath: "\(directory)/initdb") { return String(directory) }
        }
        return nil
    }

    /// Creates, configures and starts a new cluster; throws ``LocalPostgresServerError`` with the
    /// tool's output when a step fails. Call ``stop()`` when done.
    public static func start(_ options: Options = Options()) throws -> LocalPostgresServer {
        guard let bin = options.binDirectory ?? findBinDirectory() else {
            throw LocalPostgresServerError(
                step: "finding the server binaries",
                detail: "no initdb in /usr/lib/postgresql/*/bin, pg_config --bindir or PATH (Debian: apt-get install postgresql-15)"
            )
        }
        let asPostgres = currentUserIsRoot
        return try inNewDirectory(options.parentDirectory + "/pgcdc-pg", asPostgres: asPostgres) { root in
            let data = root + "/data"
            let initdb = ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]
            try ProcessRunner.check("initdb", try ProcessRunner.run(bin + "/initdb", initdb, asPostgres: asPostgres))
            var settings = options.extraSettings
            if let tls = options.tls {
                settings = try tls.install(in: data, asPostgres: asPostgres).merging(settings) { $1 }
            }
            try writeConfiguration(data: data, socketDirectory: root, extra: settings, hbaRules: options.hbaRules)
            return try startOnFreePort(data: data, binDirectory: bin, rootDirectory: root, asPostgres: asPostgres)
        }
    }

    /// Runs `body` with a new temporary directory (`prefix.XXXXXX`, owned by `postgres` when
    /// `asPostgres`), which is removed again if `body` throws.
    static func inNewDirectory(
        _ prefix: String, asPostgres: Bool, _ body: (String) throws -> LocalPostgresServer
    ) throws -> LocalPostgresServer {
        var template = Array((prefix + ".XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else {
            throw LocalPostgresServerError(step: "creating a temporary directory", detail: String(cString: strerror(errno)))
        }
        let root = String(cString: created)
        do {
            if asPostgres {
                try ProcessRunner.check("chown", try ProcessRunner.run("/bin/chown", ["postgres:postgres", root]))
                _ = chmod(root, 0o755)
            }
            return try body(root)
        } catch {
            try? FileManager.default.removeItem(atPath: root)
            throw error
        }
    }

    /// Starts the cluster in `data` on a free port (trying another if one is taken meanwhile).
    static func startOnFreePort(
        data: String, binDirectory: String, rootDirectory: String, asPostgres: Bool
    ) throws -> LocalPostgresServer {
        var lastError: Error?
        for _ in 0..<5 {
            let server = LocalPostgresServer(
                port: try FreePort.find(), dataDirectory: data, binDirectory: binDirectory, rootDirectory: rootDirectory,
                runAsPostgres: asPostgres
            )
            do {
                try server.startServer()
                return server
            } catch {
                lastError = error
            }
        }
        throw lastError ?? LocalPostgresServerError(step: "starting the server", detail: "no free port")
    }

    static func writeConfiguration(data: String, socketDirectory: String, extra: [String: String], hbaRules: [String] = []) throws {
        var settings: [String: String] = [
            "wal_level": "logical", "max_replication_slots": "300", "max_wal_senders": "100",
            "listen_addresses": "'127.0.0.1'", "unix_socket_directories": "'\(socketDirectory)'",
            "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "autovacuum": "off",
            "shared_buffers": "128MB", "max_connections": "300", "lc_monetary": "'C'",
        ]
        for (key, value) in extra { settings[key] = value }
        let conf = settings.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: "\n") + "\n"
        let hba =
            hbaRules.map { $0 + "\n" }.joined() + """
                local all all trust
                host all all 127.0.0.1/32 trust
                host replication all 127.0.0.1/32 trust

                """
        try append(conf, to: data + "/postgresql.conf")
        try hba.write(toFile: data + "/pg_hba.conf", atomically: false, encoding: .utf8)
    }

    static func append(_ text: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    func startServer() throws {
        let log = rootDirectory + "/server.log"
        let result = try ProcessRunner.run(
            binDirectory + "/pg_ctl",
            ["-D", dataDirectory, "-l", log, "-w", "-t", "60", "-o", "-p \(port)", "start"],
            asPostgres: runAsPostgres
        )
        if result.status != 0 {
            let logText = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let tail = logText.split(separator: "\n").suffix(15).joined(separator: "\n")
            throw LocalPostgresServerError(step: "pg_ctl start on port \(port)", detail: result.stderr + result.stdout + "\n" + tail)
        }
    }

    /// Runs `sql` (any number of statements) with psql in `database`, to set up or inspect a test's
    /// data; returns psql's unaligned, tuples-only output, trimmed (`"42"` for `SELECT 42`). An SQL
    /// error throws ``LocalPostgresServerError`` with psql's message.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        let result = try ProcessRunner.run(
            binDirectory + "/psql",
            ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-h", host, "-p", "\(port)", "-U", "postgres", "-d", database],
            stdin: sql
        )
        guard result.status == 0 else {
            throw LocalPostgresServerError(step: "psql", detail: result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Creates a database (`CREATE DATABASE`), for tests that want one each; ``dsn(database:)`` connects to it.
    public func createDatabase(_ name: String) throws {
        try psql("CREATE DATABASE \"\(name.replacingOccurrences(of: "\"", with: "\"\""))\"")
    }

    /// Stops the server at once (`pg_ctl -m immediate`, as a crash would), waits `downFor` seconds,
    /// and starts it again on the same port and data directory.
    package func restartImmediately(downFor seconds: Double = 0) throws {
        try crash()
        if seconds > 0 { usleep(UInt32(seconds * 1_000_000)) }
        try startServer()
    }

    /// Stops the server (fast shutdown, then immediate) and removes its directory, data and all.
    /// Calling it again does nothing.
    public func stop() {
        guard stopped.set() else { return }
        let pgCtl = binDirectory + "/pg_ctl"
        let fast = try? ProcessRunner.run(pgCtl, ["-D", dataDirectory, "-m", "fast", "-w", "-t", "20", "stop"], asPostgres: runAsPostgres)
        if fast?.status != 0 {
            _ = try? ProcessRunner.run(pgCtl, ["-D", dataDirectory, "-m", "immediate", "-w", "stop"], asPostgres: runAsPostgres)
        }
        try? FileManager.default.removeItem(atPath: rootDirectory)
    }
}

/// A one-way flag set once, from any thread.
private final class StopFlag: @unchecked Sendable {
    // Safe: `value` is only touched under `lock`.
    private let lock = NSLock()
    private var value = false

    /// Sets the flag; `true` if this call set it.
    func set() -> Bool {
        lock.withLock {
            defer { value = true }
            return !value
        }
    }
}
