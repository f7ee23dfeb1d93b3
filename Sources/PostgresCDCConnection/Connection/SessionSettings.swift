/// Output settings pinned for every replication session, so that values never depend on
/// server or role defaults (the walsender runs the type output functions with these).
package enum SessionSettings {
    package static let statements = [
        "SET DateStyle = 'ISO, MDY'",
        "SET TimeZone = 'UTC'",
        "SET extra_float_digits = 3",
        "SET bytea_output = 'hex'",
        "SET IntervalStyle = 'postgres'",
    ]
}
