import Testing
@testable import PostgresCDC
@testable import PostgresCDCEvents

/// One resolution per type OID gives both the text mapping and the binary format (no server).
@Suite struct TypeCatalogTests {
    static let comma = UInt8(ascii: ",")

    static func domain(_ oid: UInt32, over base: UInt32) -> TypeRow {
        TypeRow(oid: oid, typtype: UInt8(ascii: "d"), typelem: 0, typbasetype: base, typdelim: comma)
    }

    static func array(_ oid: UInt32, of element: UInt32, delimiter: UInt8 = comma) -> TypeRow {
        TypeRow(oid: oid, typtype: UInt8(ascii: "b"), typelem: element, typbasetype: 0, typdelim: delimiter)
    }

    static func catalog(_ rows: [TypeRow]) -> TypeCatalog {
        var catalog = TypeCatalog()
        for row in rows { catalog.add(row) }
        return catalog
    }

    @Test func builtInTypesHaveTheirTextMappingAndBinaryFormatTogether() {
        let catalog = TypeCatalog()
        #expect(catalog.columnType(for: 16) == ColumnType(.bool, .bool))
        #expect(catalog.columnType(for: 23) == ColumnType(.integer, .int4))
        #expect(catalog.columnType(for: 26) == ColumnType(.integer, .uint32))
        #expect(catalog.columnType(for: 28) == ColumnType(.text, .uint32))
        #expect(catalog.columnType(for: 25) == ColumnType(.text, .textual))
        #expect(catalog.columnType(for: 114) == ColumnType(.json, .textual))
        #expect(catalog.columnType(for: 3802) == ColumnType(.json, .jsonb))
        #expect(catalog.columnType(for: 1184) == ColumnType(.timestamptz, .timestamptz))
        #expect(catalog.columnType(for: 2950) == ColumnType(.text, .uuid))
        #expect(catalog.binaryFormat(for: 701) == .float8)
    }

    @Test func everyBuiltInTypeWithARuleHasABinaryFormat() {
        for (oid, type) in TypeCatalog.builtins {
            #expect(type.binary != .unsupported, "OID \(oid)")
        }
    }

    @Test func builtInArraysResolveTheirElementAndDelimiter() {
        let catalog = TypeCatalog()
        let int4Array = ColumnType(.array(element: .integer, delimiter: Self.comma), .array(element: .int4, delimiter: Self.comma))
        #expect(catalog.columnType(for: 1007) == int4Array)
        // box[] separates items with ';'.
        let semicolon = UInt8(ascii: ";")
        #expect(
            catalog.columnType(for: 1020)
                == ColumnType(.array(element: .text, delimiter: semicolon), .array(element: .box, delimiter: semicolon)))
        #expect(
            catalog.columnType(for: 143)
                == ColumnType(.array(element: .text, delimiter: Self.comma), .array(element: .textual, delimiter: Self.comma)))
        // regclass[]: the text of a regclass is a name only a catalog lookup gives.
        #expect(catalog.columnType(for: 2210) == ColumnType(.array(element: .text, delimiter: Self.comma), .unsupported))
    }

    @Test func domainsOverDomainsResolveToTheirBaseType() {
        let catalog = Self.catalog([Self.domain(20_000, over: 1700), Self.domain(20_001, over: 20_000), Self.domain(20_002, over: 1007)])
        #expect(catalog.columnType(for: 20_001) == ColumnType(.numeric, .numeric))
        #expect(catalog.columnType(for: 20_002) == catalog.columnType(for: 1007))
    }

    @Test func enumsAreTheirLabelAndTheirArraysArraysOfLabels() {
        let label = TypeRow(oid: 20_000, typtype: UInt8(ascii: "e"), typelem: 0, typbasetype: 0, typdelim: Self.comma)
        let catalog = Self.catalog([label, Self.array(20_001, of: 20_000), Self.array(20_002, of: 23, delimiter: UInt8(ascii: ";"))])
        #expect(catalog.columnType(for: 20_000) == ColumnType(.text, .textual))
        let labels = ColumnType(.array(element: .text, delimiter: Self.comma), .array(element: .textual, delimiter: Self.comma))
        #expect(catalog.columnType(for: 20_001) == labels)
        // A custom array keeps the delimiter its row gives.
        #expect(catalog.columnType(for: 20_002).binary == .array(element: .int4, delimiter: UInt8(ascii: ";")))
    }

    @Test func unknownTypesAndTypesWithoutARuleAreOther() {
        let composite = TypeRow(oid: 20_000, typtype: UInt8(ascii: "c"), typelem: 0, typbasetype: 0, typdelim: Self.comma)
        let catalog = Self.catalog([composite, Self.array(20_001, of: 20_000)])
        #expect(catalog.columnType(for: 30_000) == .other)
        #expect(!catalog.knows(30_000))
        #expect(catalog.columnType(for: 2205) == .other, "regclass: built in, but its text is a name")
        #expect(catalog.knows(2205))
        // A composite whose attributes were not loaded.
        #expect(catalog.columnType(for: 20_000) == .other)
        #expect(catalog.knows(20_000))
        // An array of such composites: text elements; its binary form cannot be read.
        #expect(catalog.columnType(for: 20_001) == ColumnType(.array(element: .text, delimiter: Self.comma), .unsupported))
    }

    @Test func aCycleOrAChainLongerThanTheBoundResolvesAsOther() {
        let bound = UInt32(TypeCatalog.maximumDepth)
        var rows = [Self.domain(20_000, over: 20_001), Self.domain(20_001, over: 20_000)]
        // 30_000 → 30_001 → … → 30_000 + bound → int4: one domain too many.
        for step in 0...bound { rows.append(Self.domain(30_000 + step, over: step == bound ? 23 : 30_000 + step + 1)) }
        rows.append(Self.array(40_000, of: 40_000))
        let catalog = Self.catalog(rows)
        #expect(catalog.columnType(for: 20_000) == .other)
        #expect(catalog.columnType(for: 30_001) == ColumnType(.integer, .int4), "a chain within the bound")
        #expect(catalog.columnType(for: 30_000) == .other, "a chain beyond the bound")
        // An array of itself: text arrays nested to the bound, binary unreadable.
        let selfArray = catalog.columnType(for: 40_000)
        #expect(selfArray.binary == .unsupported)
        var mapping = selfArray.mapping
        var depth = 0
        while case let .array(element, _) = mapping {
            mapping = element
            depth += 1
        }
        #expect(depth == TypeCatalog.maximumDepth)
        #expect(mapping == .text)
    }

    @Test func rangesAndMultirangesResolveThroughTheirSubtype() {
        let range = TypeRow(oid: 20_000, typtype: UInt8(ascii: "r"), typelem: 0, typbasetype: 0, typdelim: Self.comma, rangeSubtype: 701)
        let multirange = TypeRow(
            oid: 20_001, typtype: UInt8(ascii: "m"), typelem: 0, typbasetype: 0, typdelim: Self.comma, rangeSubtype: 20_000)
        let overRegclass = TypeRow(
            oid: 20_002, typtype: UInt8(ascii: "r"), typelem: 0, typbasetype: 0, typdelim: Self.comma, rangeSubtype: 2205)
        let catalog = Self.catalog([range, multirange, overRegclass, Self.array(20_003, of: 20_000)])
        #expect(catalog.binaryFormat(for: 20_000) == .range(subtype: .float8))
        #expect(catalog.binaryFormat(for: 20_001) == .multirange(subtype: .float8))
        #expect(catalog.binaryFormat(for: 20_002) == .unsupported)
        #expect(catalog.binaryFormat(for: 20_003) == .array(element: .range(subtype: .float8), delimiter: Self.comma))
        #expect(catalog.binaryFormat(for: 3904) == .range(subtype: .int4))
        #expect(catalog.binaryFormat(for: 4536) == .multirange(subtype: .int8))
    }

    @Test func compositesResolveEachAttributeAndNeedAllOfThem() {
        let inner = TypeRow(
            oid: 20_000, typtype: UInt8(ascii: "c"), typelem: 0, typbasetype: 0, typdelim: Self.comma, attributes: [23, 25])
        let outer = TypeRow(
            oid: 20_001, typtype: UInt8(ascii: "c"), typelem: 0, typbasetype: 0, typdelim: Self.comma, attributes: [20_000, 1007])
        let withRegclass = TypeRow(
            oid: 20_002, typtype: UInt8(ascii: "c"), typelem: 0, typbasetype: 0, typdelim: Self.comma, attributes: [23, 2205])
        let catalog = Self.catalog([inner, outer, withRegclass])
        let innerFormat = BinaryFormat.composite([
            CompositeField(typeOID: 23, format: .int4), CompositeField(typeOID: 25, format: .textual),
        ])
        #expect(catalog.binaryFormat(for: 20_000) == innerFormat)
        #expect(
            catalog.binaryFormat(for: 20_001)
                == .composite([
                    CompositeField(typeOID: 20_000, format: innerFormat),
                    CompositeField(typeOID: 1007, format: .array(element: .int4, delimiter: Self.comma)),
                ]))
        #expect(catalog.binaryFormat(for: 20_002) == .unsupported)
    }

    @Test func moneyHasABinaryFormatOnlyOnceItsLayoutIsLearned() {
        var catalog = TypeCatalog()
        #expect(catalog.binaryFormat(for: 790) == .unsupported)
        let format = MoneyFormat(points: 2, positive: "$92,233,720,368,547,758.07", negative: "-$92,233,720,368,547,758.07", samples: [])
        catalog.money = format
        #expect(format.map { catalog.binaryFormat(for: 790) == .money($0) } == true)
        #expect(format.map { catalog.binaryFormat(for: 791) == .array(element: .money($0), delimiter: Self.comma) } == true)
    }
}
