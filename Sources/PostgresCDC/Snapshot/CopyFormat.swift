import PGOutput

/// How a table's rows are copied (`COPY … TO STDOUT`): in COPY's binary format, each column in
/// its send form — moving the output functions' work from the server's backend to pgcdc, as
/// binary values do for the stream — or in its text format.
///
/// In binary, a column whose send form pgcdc cannot convert (``BinaryFormat/unsupported``: reg*
/// aliases, extension types, …) is read through its output function instead, so the copy
/// takes every column the way the stream shows it either way.
package struct CopyFormat: Sendable, Equatable {
    /// Whether the copy is in COPY's binary format.
    let isBinary: Bool
    /// In binary, for each column, whether its send form is read (`false`: its text, through its
    /// output function); empty in text.
    let binaryColumns: [Bool]

    /// COPY's text format.
    package static let text = CopyFormat(isBinary: false, binaryColumns: [])

    private init(isBinary: Bool, binaryColumns: [Bool]) {
        self.isBinary = isBinary
        self.binaryColumns = binaryColumns
    }

    /// The format for the columns of `message`: binary unless `binary` is `false`
    /// (``StreamConfiguration/binaryValues``; `nil` and `true` choose binary).
    package init(for message: RelationMessage, catalog: TypeCatalog, binary: Bool?) {
        guard binary != false else {
            self = .text
            return
        }
        self.init(isBinary: true, binaryColumns: message.columns.map { catalog.binaryFormat(for: $0.typeOID) != .unsupported })
    }

    /// What `COPY (SELECT …)` selects for the column named by `quoted` (an identifier already
    /// quoted), number `index`.
    func selection(of quoted: String, at index: Int) -> String {
        guard isBinary, index < binaryColumns.count, !binaryColumns[index] else { return quoted }
        // format('%s', …) calls the type's output function, as COPY's text format does (a cast
        // to text may differ: a bool's cast says `true`, its output `t`); it turns NULL into ''.
        return "CASE WHEN \(quoted) IS NULL THEN NULL ELSE format('%s', \(quoted)) END"
    }

    /// The options after `TO STDOUT`.
    var options: String { isBinary ? " (FORMAT binary)" : "" }

    /// How column `index` of a binary row was sent.
    func kind(ofColumn index: Int) -> TupleData.Kind {
        index < binaryColumns.count && binaryColumns[index] ? .binary : .text
    }
}
