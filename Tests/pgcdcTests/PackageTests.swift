import Foundation
import PostgresCDCTesting
import TestSupport
import Testing
@testable import pgcdc

/// `scripts/package`: the Debian package and the tarball install pgcdc where there is no Swift
/// toolchain — a statically linked Swift runtime, man pages, completions, the service unit —
/// and the installed binary streams.
@Suite(.serialized) struct PackageTests {
    struct Built {
        var deb: String
        var tarball: String
        /// The package's files, unpacked with `dpkg-deb -x`.
        var root: String
        var pgcdc: String { root + "/usr/bin/pgcdc" }
    }

    /// Builds once per test process (a release build: minutes the first time, incremental after,
    /// in `.build-package`), unpacked into a scratch root.
    static let built: Result<Built, Error> = Result {
        let directory = NSTemporaryDirectory() + "pgcdc-package-\(getpid())"
        let script = CLIProcess.repositoryRoot.appendingPathComponent("scripts/package").path
        let result = try ProcessRunner.run("/bin/bash", [script, directory + "/dist"])
        guard result.status == 0 else { throw PackageError(step: "scripts/package", output: result.stderr + result.stdout) }
        let paths = result.stdout.split(separator: "\n").map(String.init)
        guard paths.count == 2 else { throw PackageError(step: "scripts/package output", output: result.stdout) }
        let root = directory + "/root"
        let unpacked = try ProcessRunner.run("/usr/bin/dpkg-deb", ["-x", paths[0], root])
        guard unpacked.status == 0 else { throw PackageError(step: "dpkg-deb -x", output: unpacked.stderr) }
        return Built(deb: paths[0], tarball: paths[1], root: root)
    }

    struct PackageError: Error, CustomStringConvertible {
        var step: String
        var output: String
        var description: String { "\(step) failed: \(output.suffix(3000))" }
    }

    @Test func theInstalledBinaryNeedsNoSwiftAndSaysItsVersionAndCommit() throws {
        let built = try Self.built.get()
        let linked = try ProcessRunner.run("/usr/bin/ldd", [built.pgcdc])
        #expect(linked.status == 0)
        for library in ["libswift", "libFoundation", "lib_Foundation", "libdispatch", "/opt/swift", "not found"] {
            #expect(!linked.stdout.contains(library), "\(linked.stdout)")
        }
        #expect(linked.stdout.contains("libpq.so.5") && linked.stdout.contains("libnats"), "\(linked.stdout)")
        let version = try ProcessRunner.run(built.pgcdc, ["--version"])
        let commit = try ProcessRunner.run("/usr/bin/git", ["-C", CLIProcess.repositoryRoot.path, "rev-parse", "--short=12", "HEAD"])
        #expect(
            version.stdout.hasPrefix("pgcdc \(BuildInfo.version) (commit \(commit.stdout.trimmingCharacters(in: .whitespacesAndNewlines))"))
        let depends = try ProcessRunner.run("/usr/bin/dpkg-deb", ["-f", built.deb, "Depends"])
        for package in ["libpq5", "libnats", "libc6"] { #expect(depends.stdout.contains(package), "\(depends.stdout)") }
        let help = try ProcessRunner.run(built.pgcdc, ["--help"])
        #expect(help.status == 0 && help.stdout.contains("stream") && help.stdout.contains("ddl"))
    }

    @Test func theInstalledBinaryStreams() throws {
        let built = try Self.built.get()
        let prepared = try StreamCommandTests.prepare(workload: ["INSERT INTO orders (id, item, qty) VALUES (1, 'tea', 2)"])
        let result = try ProcessRunner.run(
            built.pgcdc, ["stream", "--dsn", prepared.dsn, "--slot", prepared.slot, "--publication", "pub", "--end-lsn", prepared.endLSN])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(#""op":"insert""#) && result.stdout.contains(#""item":"tea""#), "\(result.stdout)")
    }

    @Test func manPagesCompletionsUnitAndSchemasAreInBothArchives() throws {
        let built = try Self.built.get()
        for command in ["pgcdc", "pgcdc.stream", "pgcdc.backfill", "pgcdc.status", "pgcdc.doctor", "pgcdc.slot.list", "pgcdc.ddl.install"] {
            let page = built.root + "/usr/share/man/man1/\(command).1.gz"
            #expect(FileManager.default.fileExists(atPath: page), "\(page)")
        }
        let rendered = try ProcessRunner.run("/usr/bin/man", ["-l", built.root + "/usr/share/man/man1/pgcdc.stream.1.gz"])
        #expect(rendered.status == 0 && rendered.stdout.contains("--publication"), "\(rendered.stderr)")
        let bash = try String(contentsOfFile: built.root + "/usr/share/bash-completion/completions/pgcdc", encoding: .utf8)
        #expect(bash.contains("stream") && bash.contains("--slot"))
        let zsh = try String(contentsOfFile: built.root + "/usr/share/zsh/vendor-completions/_pgcdc", encoding: .utf8)
        #expect(zsh.hasPrefix("#compdef pgcdc"))
        let fish = try String(contentsOfFile: built.root + "/usr/share/fish/vendor_completions.d/pgcdc.fish", encoding: .utf8)
        #expect(fish.contains("complete -c 'pgcdc'") && fish.contains("'slot'"))
        let unit = try String(contentsOfFile: built.root + "/lib/systemd/system/pgcdc@.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/bin/pgcdc stream --config /etc/pgcdc/%i.toml") && unit.contains("Restart=on-failure"))
        #expect(unit.contains("TimeoutStopSec="))
        // The example configuration's keys are all options: reading it fails only on the DSN file it names.
        let example = try ProcessRunner.run(built.pgcdc, ["stream", "--config", built.root + "/usr/share/doc/pgcdc/example.toml"])
        #expect(example.status == 64 && example.stderr.contains("--dsn-file /etc/pgcdc/app.dsn: cannot be read"), "\(example.stderr)")
        for schema in ["change-event", "debezium-event"] {
            #expect(FileManager.default.fileExists(atPath: built.root + "/usr/share/pgcdc/schemas/\(schema).schema.json"))
        }
        // The licence, in Debian's machine-readable copyright format, with the full Apache-2.0 text.
        let copyright = try String(contentsOfFile: built.root + "/usr/share/doc/pgcdc/copyright", encoding: .utf8)
        #expect(copyright.hasPrefix("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"))
        #expect(copyright.contains("License: Apache-2.0") && copyright.contains("END OF TERMS AND CONDITIONS"))
        let listed = try ProcessRunner.run("/bin/tar", ["-tzf", built.tarball])
        let debFiles = try ProcessRunner.run("/usr/bin/dpkg-deb", ["-c", built.deb])
        let files = [
            "usr/bin/pgcdc", "usr/share/man/man1/pgcdc.stream.1.gz", "lib/systemd/system/pgcdc@.service", "usr/share/doc/pgcdc/copyright",
        ]
        for file in files {
            #expect(listed.stdout.contains(file) && debFiles.stdout.contains(file), "\(file)")
        }
    }

    /// As root (CI): apt installs the package with its dependencies, the postinst creates the
    /// service user, and the package removes cleanly.
    @Test(.enabled(if: LocalPostgresServer.currentUserIsRoot)) func aptInstallsAndRemovesThePackage() throws {
        let built = try Self.built.get()
        let install = try ProcessRunner.run(
            "/usr/bin/env", ["DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq", built.deb])
        #expect(install.status == 0, "\(install.stderr)")
        defer { _ = try? ProcessRunner.run("/usr/bin/env", ["DEBIAN_FRONTEND=noninteractive", "apt-get", "remove", "-y", "-qq", "pgcdc"]) }
        let version = try ProcessRunner.run("/usr/bin/pgcdc", ["--version"])
        #expect(version.stdout.hasPrefix("pgcdc \(BuildInfo.version)"))
        #expect(try ProcessRunner.run("/usr/bin/id", ["pgcdc"]).status == 0, "the postinst creates the service user")
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") {
            // The template as an instance, checked against the installed binary.
            let directory = NSTemporaryDirectory() + "pgcdc-unit-\(getpid())"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try FileManager.default.copyItem(atPath: "/lib/systemd/system/pgcdc@.service", toPath: directory + "/pgcdc@app.service")
            let verified = try ProcessRunner.run("/usr/bin/systemd-analyze", ["verify", "--man=no", directory + "/pgcdc@app.service"])
            #expect(verified.status == 0 && verified.stderr.isEmpty, "\(verified.stderr)")
        }
        let page = try ProcessRunner.run("/usr/bin/man", ["-w", "pgcdc.stream"])
        #expect(page.stdout.contains("/usr/share/man/man1/pgcdc.stream.1.gz"), "\(page.stdout) \(page.stderr)")
        let remove = try ProcessRunner.run("/usr/bin/env", ["DEBIAN_FRONTEND=noninteractive", "apt-get", "remove", "-y", "-qq", "pgcdc"])
        #expect(remove.status == 0, "\(remove.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "/usr/bin/pgcdc"))
    }
}
