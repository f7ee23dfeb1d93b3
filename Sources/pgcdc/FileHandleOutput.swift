import PostgresCDC

enum FileHandleOutput {
    /// Writes `text` to stderr, unbuffered; a failure to write an error message is ignored.
    static func standardError(_ text: String) {
        try? FileDescriptorOutput(descriptor: 2, name: "stderr").write(Array(text.utf8))
    }

    /// Writes `text` to stdout, unbuffered.
    static func standardOutput(_ text: String) throws {
        try FileDescriptorOutput(descriptor: 1, name: "stdout").write(Array(text.utf8))
    }
}
