import Testing
@testable import PostgresCDC
import PGOutput

/// ``ChangeAssembler/decode(_:at:loadTypes:)``: payload bytes in, and the caller asked to load
/// types only for a Relation that names a custom type the catalog does not know.
@Suite struct ChangeAssemblerDecodingTests {
    /// Relation 43 with one column of type `typeOID`.
    static func relation(typeOID: UInt32) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "R"), 0, 0, 0, 43] + Array("public\0".utf8) + Array("u\0".utf8) + [UInt8(ascii: "d"), 0, 1, 1]
        bytes += Array("c\0".utf8)
        withUnsafeBytes(of: typeOID.bigEndian) { bytes.append(contentsOf: $0) }
        return bytes + [0xFF, 0xFF, 0xFF, 0xFF]
    }

    @Test func typesAreLoadedOnlyForARelationNamingAnUnknownCustomType() throws {
        var assembler = ChangeAssembler(catalog: TypeCatalog())
        var asked = 0
        let load = { (catalog: inout TypeCatalog) throws(ReplicationError) in
            asked += 1
            catalog.add(TypeRow(oid: 16_500, typtype: UInt8(ascii: "e"), typelem: 0, typbasetype: 0, typdelim: UInt8(ascii: ",")))
        }
        _ = try assembler.decode(Self.relation(typeOID: 25)[...], at: LSN(1), loadTypes: load)
        #expect(asked == 0, "a built-in type")
        _ = try assembler.decode(Payload.begin(xid: 7, final: 0x100)[...], at: LSN(2), loadTypes: load)
        #expect(asked == 0)
        _ = try assembler.decode(Self.relation(typeOID: 16_500)[...], at: LSN(3), loadTypes: load)
        #expect(asked == 1, "a type created after the session started")
        #expect(assembler.catalog.knows(16_500))
        #expect(assembler.relations[43] != nil)
        _ = try assembler.decode(Self.relation(typeOID: 16_500)[...], at: LSN(4), loadTypes: load)
        #expect(asked == 1, "known by now")
        #expect(assembler.latestCommitTime == PostgresTimestamp(microsecondsSince2000: 0).unixMicroseconds)
    }

    @Test func undecodableBytesNameTheirLSN() throws {
        var assembler = ChangeAssembler(catalog: TypeCatalog())
        do {
            _ = try assembler.decode([UInt8(ascii: "B"), 0, 0][...], at: LSN(0x1234))
            Issue.record("expected an error")
        } catch {
            guard case .decoding = error else {
                Issue.record("expected a decoding error, got \(error)")
                return
            }
            #expect("\(error)".contains("0/1234"))
        }
    }
}
