import ArgumentParser
import PostgresCDC

/// `pgcdc stream`'s lines: their format, and which events besides rows they carry.
struct OutputOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Line format: native (pgcdc's events) or debezium (Debezium's envelope), with every sink.",
            valueName: "format"))
    var format: OutputFormat = .native

    @Flag(help: "Also write begin and commit events.")
    var transactions = false

    @Flag(inversion: .prefixedNo, help: "Include logical decoding messages (pg_logical_emit_message).")
    var messages = true
}
