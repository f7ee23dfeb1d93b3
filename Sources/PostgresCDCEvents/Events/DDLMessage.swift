import Foundation

/// The logical decoding message the DDL trigger sends for each command: prefix ``prefix``,
/// content a JSON object `{"tag", "object_type", "schema", "identity", "statement"}`.
package struct DDLMessage: Sendable, Hashable, Codable {
    /// The prefix of the trigger's messages.
    package static let prefix = "pgcdc.ddl"

    package var tag: String
    package var objectType: String
    package var schema: String?
    package var identity: String
    package var statement: String

    enum CodingKeys: String, CodingKey {
        case tag
        case objectType = "object_type"
        case schema, identity, statement
    }

    /// The command `content` describes; `nil` when it is not such an object (a message someone
    /// else sent with the prefix, which is then handed out as an ordinary message).
    package init?(content: [UInt8]) {
        guard let decoded = try? JSONDecoder().decode(Self.self, from: Data(content)) else { return nil }
        self = decoded
    }
}
