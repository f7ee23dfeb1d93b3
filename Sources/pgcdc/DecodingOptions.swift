import ArgumentParser
import PostgresCDC

/// `pgcdc stream`'s asks of the server's decoder: protocol version, origins, streaming of large
/// transactions, two-phase decoding and binary values.
struct DecodingOptions: ParsableArguments {
    @Option(
        name: .customLong("proto-version"),
        help: ArgumentHelp("pgoutput protocol version, 1–4 (default: the highest the server supports).", valueName: "n"))
    var protoVersion: Int?

    @Option(
        help: ArgumentHelp(
            "Changes of every origin (any, the default) or only those made on this server (none; PostgreSQL 16+).", valueName: "any|none"))
    var origin: OriginOption = .any

    @Option(
        help: ArgumentHelp(
            "Let the server stream large transactions before they commit: off, on (protocol 2+), parallel (protocol 4). Output is the "
                + "same either way.",
            valueName: "mode"))
    var streaming: StreamingMode = .off

    @Option(
        help: ArgumentHelp(
            "With --streaming: memory for uncommitted streamed changes before they spill to --spill-dir (K, M, G suffixes).",
            valueName: "size"))
    var maxMemory = ByteSize(bytes: 64 << 20)

    @Option(
        help: ArgumentHelp(
            "With --streaming: directory for spill files (default: $TMPDIR, else /tmp; the files are unlinked at once).", valueName: "dir"))
    var spillDir: String?

    @Flag(
        help: ArgumentHelp(
            "Decode prepared transactions (PostgreSQL 15+): changes are written at COMMIT PREPARED with their gid, dropped at ROLLBACK "
                + "PREPARED; kept in CHECKPOINT.prepared/ (or PATH.prepared/ of --sink file:PATH) meanwhile.")
    )
    var twoPhase = false

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Values in binary (PostgreSQL 14+): the server's walsender skips the text conversion and pgcdc does it; the same JSON "
                + "either way. Default: binary when pgcdc can convert every published column's type, else text.")
    )
    var binary: Bool?

    func validate() throws {
        if let protoVersion, !(1...4).contains(protoVersion) { throw ValidationError("--proto-version must be 1, 2, 3 or 4") }
        if twoPhase, let protoVersion, protoVersion < 3 { throw ValidationError("--two-phase needs --proto-version 3 or later") }
        if maxMemory.bytes < 1 << 16 { throw ValidationError("--max-memory must be at least 64K") }
        if streaming == .off && (spillDir != nil) { throw ValidationError("--spill-dir only applies with --streaming on or parallel") }
        if streaming == .parallel, let protoVersion, protoVersion < 4 {
            throw ValidationError("--streaming parallel needs --proto-version 4")
        }
        if streaming == .on, let protoVersion, protoVersion < 2 { throw ValidationError("--streaming needs --proto-version 2 or later") }
    }
}
