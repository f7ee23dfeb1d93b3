/// The shape of the JSON lines pgcdc writes.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// pgcdc's own events (`schemas/change-event.schema.json`).
    case native
    /// Debezium's PostgreSQL envelope (`schemas/debezium-event.schema.json`).
    case debezium
}
