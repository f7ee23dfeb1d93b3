import PGOutput

extension Relation {
    /// A relation from its description, with the columns `filter` leaves out of rows omitted
    /// (see ``init(message:catalog:omitted:primaryKey:)``).
    package convenience init(
        message: RelationMessage, catalog: TypeCatalog, filter: EventFilter = EventFilter(), primaryKey: [String]? = nil
    ) {
        let omitted = filter.omittedColumns(schema: message.namespace, table: message.name, columns: message.columns.map(\.name)) ?? []
        self.init(message: message, catalog: catalog, omitted: omitted, primaryKey: primaryKey)
    }
}
