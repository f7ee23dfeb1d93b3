/// NATS server URLs as they may appear in an error or a log line.
enum ServerURL {
    /// `url` without the credentials it may carry: `nats://user:password@host:4222` and
    /// `nats://token@host:4222` become `nats://***@host:4222`; a URL without any is unchanged.
    static func redacted(_ url: String) -> String {
        let afterScheme = url.range(of: "://").map(\.upperBound) ?? url.startIndex
        // The credentials end at the last `@` (a password may hold `@` or `/`; NATS URLs have no path).
        guard let at = url[afterScheme...].lastIndex(of: "@") else { return url }
        return String(url[..<afterScheme]) + "***" + String(url[at...])
    }
}
