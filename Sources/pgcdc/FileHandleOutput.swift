import PostgresCDC

enum FileHandleOutput {
    /// Writes `text` to stderr, unbuffered; a failure to write an error message is ignored.
    static func standardError(_ text: String) {
        _ = FileIO.writeAll(2, Array(text.utf8)[...])
    }

    /// Writes `text` to stdout, unbuffered.
    static func standardOutput(_ text: String) throws {
        let failure = FileIO.writeAll(1, Array(text.utf8)[...])
        if failure != 0 { throw SinkError(destination: "stdout", operation: "write to", errorNumber: failure) }
    }
}
