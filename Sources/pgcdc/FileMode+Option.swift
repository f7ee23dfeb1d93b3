import ArgumentParser
import PostgresCDC

extension FileMode {
    /// `--file-mode MODE`: octal, between 0600 and 0664 (see ``FileMode/init(bits:)``). The parser
    /// prefixes the error with the value and the option.
    static func parseOption(_ text: String) throws -> FileMode {
        guard let mode = FileMode(octal: text) else {
            throw ValidationError(
                "give an octal mode from 0600 to 0664 (the owner reads and writes, a group may read or write, "
                    + "others may read; nothing executes), e.g. 0640")
        }
        return mode
    }
}
