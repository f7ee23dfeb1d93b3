import NIOCore
import PostgresCDC
import PostgresNIO

extension PostgresBindings {
    /// Binds a streamed column value as the next parameter, in PostgreSQL's text form
    /// (`PostgresValue.parameterText`) with its type left to the server, as libpq
    /// does: `INSERT INTO orders (id, placed_at) VALUES ($1, $2)` reads each as its column's type —
    /// enums and domains of the target database included — and stores exactly the source's value.
    /// NULL binds NULL; an unchanged TOAST value, which the change does not carry, throws.
    public mutating func append(_ value: PostgresValue) throws(PostgresValueError) {
        if let text = try value.parameterText {
            append(ServerTypedText(text: text))
        } else {
            appendNull()
        }
    }
}

/// Text whose type the server infers from where the parameter is used (type OID 0).
private struct ServerTypedText: PostgresDynamicTypeEncodable {
    let text: String
    var psqlType: PostgresDataType { PostgresDataType(0) }
    var psqlFormat: PostgresFormat { .text }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeString(text)
    }
}
