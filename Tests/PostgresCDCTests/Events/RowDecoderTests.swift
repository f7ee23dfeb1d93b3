import Foundation
import Testing
@testable import PostgresCDC

/// Rows streamed from a real server, decoded into `Decodable` types, with text and with binary values.
@Suite struct RowDecoderTests {
    static let setup = """
        CREATE TABLE orders (
            id bigint PRIMARY KEY, customer_id int, total numeric(40,9), placed_at timestamptz, local_at timestamp,
            ship_on date, ref uuid, photo bytea, tags text[], scores int[], ratio float4, weight float8, paid bool,
            note text, status text, small int2, meta jsonb, extra json
        );
        CREATE PUBLICATION pub FOR TABLE orders;
        """

    static let insert = """
        INSERT INTO orders VALUES (
            1, 42, 12345678901234567890.123456789, '2026-11-26 12:34:56.123456+00', '2026-11-26 12:34:56.654321',
            '2026-11-26', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x00ff10', '{"a b","c\\"d",NULL}', '{1,NULL,3}',
            1.5, 0.1, true, NULL, 'shipped', -32768, '{"carrier": "DHL", "weight_kg": 2.5, "items": [1, 2]}',
            '{"any": [true, null, 1.5, "x", {"y": {}}]}'
        )
        """

    struct Meta: Decodable, Equatable {
        var carrier: String
        var weightKg: Double
        var items: [Int]

        enum CodingKeys: String, CodingKey {
            case carrier, items
            case weightKg = "weight_kg"
        }
    }

    enum Status: String, Decodable {
        case pending, shipped
    }

    struct Order: Decodable {
        var id: Int64
        var customerId: Int
        var total: Decimal
        var placedAt: Date
        var localAt: Date
        var shipOn: Date
        var ref: UUID
        var photo: Data
        var tags: [String?]
        var scores: [Int?]
        var ratio: Float
        var weight: Double
        var paid: Bool
        var note: String?
        var status: Status
        var small: Int16
        var meta: Meta
        var extra: JSONValue
    }

    /// Microseconds since 1970 of a date, rounded: a `Date` is a `Double` of seconds.
    static func micros(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1e6).rounded()) }

    @Test(arguments: [false, true])
    func aStreamedInsertAndUpdateDecodeIntoAStruct(binaryValues: Bool) throws {
        let fixture = try StreamFixture.make(setup: Self.setup)
        let changes = try fixture.rowChanges(
            [Self.insert, "UPDATE orders SET note = 'fragile', status = 'pending', total = 0.5 WHERE id = 1"],
            binaryValues: binaryValues)
        try #require(changes.count == 2)

        let order = try #require(try changes[0].new?.decode(Order.self, keys: .convertFromSnakeCase))
        #expect(order.id == 1 && order.customerId == 42 && order.small == -32768)
        #expect(order.total == Decimal(string: "12345678901234567890.123456789", locale: Locale(identifier: "en_US_POSIX")))
        #expect(order.total.description == "12345678901234567890.123456789")
        // 2026-11-26 12:34:56 UTC is 1795696496 s after 1970.
        #expect(Self.micros(order.placedAt) == 1_795_696_496_123_456)
        #expect(Self.micros(order.localAt) == 1_795_696_496_654_321)
        #expect(Self.micros(order.shipOn) == 1_795_651_200_000_000)
        #expect(order.ref == UUID(uuidString: "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"))
        #expect(order.photo == Data([0x00, 0xFF, 0x10]))
        #expect(order.tags == ["a b", "c\"d", nil])
        #expect(order.scores == [1, nil, 3])
        #expect(order.ratio == 1.5 && order.weight == 0.1 && order.paid)
        #expect(order.note == nil && order.status == .shipped)
        #expect(order.meta == Meta(carrier: "DHL", weightKg: 2.5, items: [1, 2]))
        #expect(order.extra == .object(["any": .array([.bool(true), .null, .number(1.5), .string("x"), .object(["y": .object([:])])])]))

        let updated = try #require(try changes[1].resolved?.decode(Order.self, keys: .convertFromSnakeCase))
        #expect(updated.note == "fragile" && updated.status == .pending && updated.total == Decimal(string: "0.5"))
        #expect(Self.micros(updated.placedAt) == 1_795_696_496_123_456)
    }

    /// Column names given by coding keys, read with the default keys.
    struct KeyedOrder: Decodable {
        var id: Int
        var customer: Int32
        var shipOn: String
        var placedAt: PostgresTimestamp

        enum CodingKeys: String, CodingKey {
            case id
            case customer = "customer_id"
            case shipOn = "ship_on"
            case placedAt = "placed_at"
        }
    }

    @Test(arguments: [false, true])
    func defaultKeysReadColumnsByTheirOwnNamesAndConvertibleTypesConvertToo(binaryValues: Bool) throws {
        let fixture = try StreamFixture.make(setup: Self.setup)
        let changes = try fixture.rowChanges([Self.insert], binaryValues: binaryValues)
        let row = try #require(changes.first?.new)
        let order = try row.decode(KeyedOrder.self)
        #expect(order.id == 1 && order.customer == 42 && order.shipOn == "2026-11-26")
        #expect(order.placedAt.unixMicroseconds == 1_795_696_496_123_456)
        #expect(try row["ref"].as(UUID.self) == UUID(uuidString: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
        #expect(try row["total"].as(Decimal.self).description == "12345678901234567890.123456789")
        #expect(try row["photo"].as(Data.self) == Data([0x00, 0xFF, 0x10]))
        #expect(try row["extra"].as(JSONValue.self) != .null)
        #expect(throws: PostgresValueError.outOfRange(value: .int(-32768), expected: "Int8")) { try row["small"].as(Int8.self) }
    }
}
