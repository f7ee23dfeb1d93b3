import ArgumentParser
import PostgresCDCNATS

/// `pgcdc stream`'s NATS JetStream sink (`--sink nats://...`): the stream, its subjects, how pgcdc
/// creates it, and how it authenticates.
struct NATSOptions: ParsableArguments {
    @Option(name: .customLong("nats-stream"), help: ArgumentHelp("The JetStream stream that captures the subjects.", valueName: "name"))
    var stream: String?

    @Option(
        name: .customLong("nats-subject"),
        help: ArgumentHelp(
            "Subject template for row and truncate events (default pgcdc.{schema}.{table}); messages go to ROOT._messages.{prefix}, "
                + "begin/commit lines to ROOT._transactions.",
            valueName: "template"))
    var subject = "pgcdc.{schema}.{table}"

    @Flag(
        name: .customLong("nats-create-stream"), help: "Create the stream if it does not exist, with the subjects and a duplicate window.")
    var createStream = false

    @Option(
        name: .customLong("nats-duplicate-window"),
        help: ArgumentHelp("Seconds of the duplicate window of a stream pgcdc creates.", valueName: "seconds"))
    var duplicateWindow: Double = 120

    @Option(
        name: .customLong("nats-replicas"),
        help: ArgumentHelp("Replicas of a stream pgcdc creates (1 to 5; more than 1 needs a JetStream cluster).", valueName: "n"))
    var replicas = 1

    @Option(
        name: .customLong("nats-ack-timeout"),
        help: ArgumentHelp(
            "Seconds to wait for JetStream's acknowledgements before publishing a batch again (default 5).", valueName: "seconds"))
    var acknowledgementTimeout: Double = 5

    @Option(name: .customLong("nats-creds"), help: ArgumentHelp("A NATS .creds file (JWT and NKey seed).", valueName: "file"))
    var credentials: String?

    @Option(name: .customLong("nats-token"), help: ArgumentHelp("A NATS authentication token.", valueName: "token"))
    var token: String?

    @Option(
        name: .customLong("nats-token-file"),
        help: ArgumentHelp("A file holding the NATS authentication token (instead of --nats-token, which ps shows).", valueName: "file"))
    var tokenFile: String?

    /// Reads `--nats-token-file` into `token`.
    mutating func validate() throws {
        guard let tokenFile else { return }
        guard token == nil else { throw ValidationError("--nats-token and --nats-token-file both give the token; keep one") }
        token = try SecretFile.read(tokenFile, option: "--nats-token-file")
        SecretWarnings.emit(SecretWarnings.file(tokenFile, holding: "a NATS token").map { [$0] } ?? [])
    }

    @Option(
        name: .customLong("nats-tls-ca"),
        help: ArgumentHelp("A CA certificate file (PEM) the server's certificate must chain to; requires TLS.", valueName: "file"))
    var trustedCertificates: String?

    @Option(
        name: .customLong("nats-tls-cert"),
        help: ArgumentHelp("A client certificate file (PEM) for a server that verifies clients; needs --nats-tls-key.", valueName: "file"))
    var clientCertificate: String?

    @Option(name: .customLong("nats-tls-key"), help: ArgumentHelp("The private key file (PEM) of --nats-tls-cert.", valueName: "file"))
    var clientKey: String?

    /// The checks that need the sink: the `--nats-*` options apply only to a NATS sink, which needs a
    /// stream, a valid subject template and sensible limits.
    func validate(for sink: SinkOption) throws {
        guard case .nats = sink else {
            if stream != nil || createStream || credentials != nil || token != nil || trustedCertificates != nil
                || clientCertificate != nil || clientKey != nil
            {
                throw ValidationError("the --nats-* options apply only with --sink nats://HOST:PORT")
            }
            return
        }
        guard let stream, !stream.isEmpty else { throw ValidationError("--sink nats://... needs --nats-stream NAME") }
        guard SubjectTemplate(subject) != nil else {
            throw ValidationError(
                "--nats-subject \"\(subject)\" must start with a literal token, contain {table}, and have no wildcards or empty tokens")
        }
        if duplicateWindow <= 0 || !duplicateWindow.isFinite {
            throw ValidationError("--nats-duplicate-window must be a positive number of seconds")
        }
        if !(1...5).contains(replicas) { throw ValidationError("--nats-replicas must be between 1 and 5") }
        if acknowledgementTimeout <= 0 || !acknowledgementTimeout.isFinite {
            throw ValidationError("--nats-ack-timeout must be a positive number of seconds")
        }
        if (clientCertificate == nil) != (clientKey == nil) {
            throw ValidationError("--nats-tls-cert and --nats-tls-key go together: the certificate and its private key")
        }
    }

    /// The sink's configuration for `servers` (those of `--sink nats://...`).
    func configuration(servers: [String]) -> NATSSink.Configuration {
        var configuration = NATSSink.Configuration(servers: servers, stream: stream ?? "")
        if let template = SubjectTemplate(subject) { configuration.subjects = template }
        configuration.createStream = createStream
        configuration.duplicateWindow = duplicateWindow
        configuration.replicas = replicas
        configuration.acknowledgementTimeout = acknowledgementTimeout
        configuration.credentialsFile = credentials
        configuration.token = token
        configuration.trustedCertificates = trustedCertificates
        configuration.clientCertificate = clientCertificate
        configuration.clientKey = clientKey
        return configuration
    }
}
