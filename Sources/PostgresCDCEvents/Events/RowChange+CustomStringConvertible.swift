extension RowChange: CustomStringConvertible {
    /// What changed where, without a single value: `update public.products (commit 0/16B37A0, #2):
    /// id, name, price; key changed`. Values may be personal data or secrets, so a change never
    /// prints them; print ``presentColumns`` (or a column) on purpose where that is safe.
    public var description: String {
        var text = "\(operation.rawValue) \(relation) (commit \(transaction.commitLSN), #\(seq))"
        let columns = presentColumns.map(\.name)
        if !columns.isEmpty { text += ": " + columns.joined(separator: ", ") }
        if keyChanged { text += "; key changed" }
        if let resolved, !resolved.isComplete {
            text += "; not carried: " + resolved.unchangedColumns.map { relation.columns[$0].name }.joined(separator: ", ")
        }
        return text
    }
}
