import CBuildInfo

/// What `pgcdc --version` prints: the version, and the git commit of the build.
enum BuildInfo {
    /// The release; `scripts/package` names the package after it.
    static let version = "0.4.0"

    /// The commit `scripts/package` built from, or `unknown` for a plain `swift build`.
    static var commit: String { String(cString: pgcdc_git_commit()) }

    /// `pgcdc 0.4.0 (commit 1a2b3c4d5e6f)`.
    static var versionLine: String { "pgcdc \(version) (commit \(commit))" }
}
