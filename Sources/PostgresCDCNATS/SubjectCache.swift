import PostgresCDC

/// The subjects and message ids a line is published as, from its ``LineDescriptor``: a table's
/// subject is computed once per ``Relation``, a message prefix's once per prefix, not per event.
///
/// Rows, schema changes and truncates go to their table's subject (a truncate of several tables
/// to each, the later ones with `:1`, `:2`, … after the id), messages to `ROOT._messages.PREFIX`,
/// begin, commit and snapshot-end lines to `ROOT._transactions`.
final class SubjectCache {
    let template: SubjectTemplate
    /// By relation identity; the entry keeps the relation alive so that its identity is not reused
    /// by another. A relation is shared by every event of its table until the table is described
    /// anew, so this grows only with schema changes and reconnects.
    private var tables: [ObjectIdentifier: (relation: Relation, subject: String)] = [:]
    private var prefixes: [String: String] = [:]
    private static let maximumTables = 1 << 14

    init(template: SubjectTemplate) {
        self.template = template
    }

    /// The subject of `relation`'s events.
    func table(_ relation: Relation) -> String {
        if let entry = tables[ObjectIdentifier(relation)] { return entry.subject }
        if tables.count >= Self.maximumTables { tables.removeAll(keepingCapacity: true) }
        let subject = template.table(schema: relation.schema, table: relation.table)
        tables[ObjectIdentifier(relation)] = (relation, subject)
        return subject
    }

    /// The subject of messages with `prefix`.
    func message(prefix: String) -> String {
        if let subject = prefixes[prefix] { return subject }
        let subject = template.message(prefix: prefix)
        prefixes[prefix] = subject
        return subject
    }

    /// Calls `body` with each subject `line` is published to and the message id it has there.
    func forEachMessage(of line: LineDescriptor, ids: inout MessageID, _ body: (String, UnsafePointer<CChar>) -> Void) {
        switch line.target {
        case let .table(relation):
            ids.set(line, part: line.part)
            ids.withCString { body(table(relation), $0) }
        case let .tables(relations):
            for (index, relation) in relations.enumerated() {
                ids.set(line, part: line.part + index)
                ids.withCString { body(table(relation), $0) }
            }
        case let .messagePrefix(prefix):
            ids.set(line, part: line.part)
            ids.withCString { body(message(prefix: prefix), $0) }
        case .none:
            ids.set(line, part: line.part)
            ids.withCString { body(template.transactions, $0) }
        }
    }
}
