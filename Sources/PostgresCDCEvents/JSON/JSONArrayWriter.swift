/// Writes an array as JSON, converting each element by the element mapping.
struct JSONArrayWriter: ArrayTextVisitor {
    var buffer: JSONBuffer
    let element: ValueMapping

    mutating func beginArray() { buffer.bytes.append(UInt8(ascii: "[")) }
    mutating func endArray() { buffer.bytes.append(UInt8(ascii: "]")) }
    mutating func separator() { buffer.bytes.append(UInt8(ascii: ",")) }
    mutating func null() { buffer.appendRaw("null") }
    mutating func element(_ text: ArraySlice<UInt8>) { buffer.appendValue(text: text, mapping: element) }
}
