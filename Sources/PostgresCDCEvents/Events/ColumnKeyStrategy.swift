/// How the properties of a `Decodable` type find their columns when a row is decoded
/// (``Row/decode(_:keys:)``).
public enum ColumnKeyStrategy: Sendable, Hashable {
    /// A property reads the column of the same name.
    case useDefaultKeys
    /// A property reads the column whose snake_case name, in camelCase, is the property's name:
    /// `customer_id` → `customerId` (as `JSONDecoder.KeyDecodingStrategy.convertFromSnakeCase` does).
    case convertFromSnakeCase

    /// The property name column `name` answers to.
    func propertyName(forColumn name: String) -> String {
        switch self {
        case .useDefaultKeys: return name
        case .convertFromSnakeCase: return Self.camelCased(name)
        }
    }

    /// The column name a property reads, for messages: `customerId` → `customer_id`.
    func columnName(forProperty name: String) -> String {
        switch self {
        case .useDefaultKeys: return name
        case .convertFromSnakeCase:
            var snake = ""
            for character in name {
                if character.isUppercase, !snake.isEmpty { snake.append("_") }
                snake += character.lowercased()
            }
            return snake
        }
    }

    /// `customer_id` → `customerId`; leading and trailing underscores stay, as `JSONDecoder` keeps them.
    private static func camelCased(_ name: String) -> String {
        guard let first = name.firstIndex(where: { $0 != "_" }), let last = name.lastIndex(where: { $0 != "_" }) else { return name }
        let words = name[first...last].split(separator: "_")
        guard words.count > 1, let head = words.first else { return name }
        var camel = String(name[..<first]) + head
        for word in words.dropFirst() { camel += word.prefix(1).uppercased() + word.dropFirst().lowercased() }
        return camel + name[name.index(after: last)...]
    }
}
