import ArgumentParser
import PostgresCDC

/// `pgcdc stream`'s destination and its durability: the sink, the checkpoint file, the mode of
/// the files pgcdc creates, how often they are synced and when the output file rotates.
struct SinkOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Where to write: stdout, file:PATH (appends, fsyncs, exactly-once across restarts), or nats://HOST:PORT[,HOST:PORT...] "
                + "(JetStream, effectively once).",
            valueName: "sink"))
    var sink: SinkOption = .stdout

    @Option(help: ArgumentHelp("Record the last durably written transaction in FILE (atomically) and resume from it.", valueName: "file"))
    var checkpoint: String?

    @Option(
        help: ArgumentHelp(
            "Mode of the files pgcdc creates (output file and rotations, origin record, checkpoint), in octal; 0600 (default) to "
                + "0664: the owner reads and writes, others never write, nothing executes. Directories it creates are 0700.",
            valueName: "mode"),
        transform: FileMode.parseOption)
    var fileMode: FileMode = .ownerReadWrite

    @Option(
        help: ArgumentHelp(
            "Minimum seconds between fsyncs of the output file and of the checkpoint while data keeps coming (0: every batch).",
            valueName: "seconds"))
    var fsyncInterval: Double = 0

    @Option(
        help: ArgumentHelp(
            "With --sink file:PATH: rotate the file to PATH.000001, ... once it reaches this size (K, M, G suffixes).", valueName: "size"))
    var rotateSize: ByteSize?

    func validate() throws {
        if fsyncInterval < 0 || !fsyncInterval.isFinite {
            throw ValidationError("--fsync-interval must be 0 or a positive number of seconds")
        }
        if rotateSize != nil, !sink.isFile { throw ValidationError("--rotate-size only applies with --sink file:PATH") }
        if let checkpoint, checkpoint.isEmpty || checkpoint.hasSuffix("/") { throw ValidationError("--checkpoint needs a file path") }
    }

    /// Where backfill progress is kept: beside the checkpoint, else beside the output file; `nil` (in memory) else.
    var backfillStatePath: String? {
        BackfillLedger.defaultPath(checkpoint: checkpoint, outputFile: sink.filePath)
    }

    /// Where prepared transactions wait (--two-phase): beside the checkpoint, else beside the output file.
    var preparedTransactionsDirectory: String? {
        if let checkpoint { return checkpoint + ".prepared" }
        if case let .file(path) = sink { return path + ".prepared" }
        return nil
    }

    /// Whether the run resumes from a file of its own (a checkpoint or the output file).
    var resumes: Bool { checkpoint != nil || sink.isFile }
}
