/// Builds ``PostgresValue/array(_:)`` values, converting each element by the element mapping.
struct PostgresArrayBuilder: ArrayTextVisitor {
    let element: ValueMapping
    private var levels: [[PostgresValue]] = []
    private(set) var result: PostgresValue?

    init(element: ValueMapping) { self.element = element }

    mutating func beginArray() { levels.append([]) }
    mutating func endArray() {
        guard let finished = levels.popLast() else { return }
        if levels.isEmpty { result = .array(finished) } else { levels[levels.count - 1].append(.array(finished)) }
    }
    mutating func separator() {}
    mutating func null() { append(.null) }
    mutating func element(_ text: ArraySlice<UInt8>) { append(PostgresValue(text: text, mapping: element)) }

    private mutating func append(_ value: PostgresValue) {
        guard !levels.isEmpty else { return }
        levels[levels.count - 1].append(value)
    }
}
