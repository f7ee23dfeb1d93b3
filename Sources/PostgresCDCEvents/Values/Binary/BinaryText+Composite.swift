import PGOutput

/// Composite types. `record_send`: Int32 column count, then per column its type OID and an Int32
/// length (-1: NULL) with the value's send format. `record_out`: `(f1,f2)`, NULL as nothing, a
/// field double-quoted when empty or holding `"` `\` `(` `)` `,` or white space.
extension BinaryText {
    private static let recordSpecials: [UInt8] = Array(#""\(),"#.utf8)

    static func appendComposite(_ bytes: ArraySlice<UInt8>, fields: [CompositeField], to out: inout [UInt8]) -> Bool {
        var reader = ByteReader(bytes, context: "composite")
        guard let count = try? reader.readInt32(), Int(count) == fields.count else { return false }
        out.append(UInt8(ascii: "("))
        var text: [UInt8] = []
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            guard let oid = try? reader.readUInt32(), oid == field.typeOID, let length = try? reader.readInt32() else { return false }
            if length < 0 { continue }
            guard Int(length) <= reader.remaining, let value = try? reader.readBytes(count: Int(length)) else { return false }
            text.removeAll(keepingCapacity: true)
            guard append(value, as: field.format, to: &text) else { return false }
            appendQuoted(text, specials: recordSpecials, to: &out)
        }
        out.append(UInt8(ascii: ")"))
        return reader.remaining == 0
    }
}
