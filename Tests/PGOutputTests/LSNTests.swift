import Testing
import PGOutput

@Suite struct LSNTests {
    @Test(arguments: [
        ("0/0", UInt64(0)), ("16/B374D848", 0x16_B374_D848), ("16/b374d848", 0x16_B374_D848),
        ("FFFFFFFF/FFFFFFFF", UInt64.max), ("1/0", 0x1_0000_0000),
    ])
    func parsesTheXSlashYForm(text: String, value: UInt64) {
        #expect(LSN(text) == LSN(value))
    }

    @Test(arguments: ["", "1", "/1", "1/", "G/1", "123456789/0", "1/123456789", "1//2", "1/2/3", " 1/2", "-1/2"])
    func rejectsMalformedText(text: String) {
        #expect(LSN(text) == nil)
        #expect(throws: PGOutputError.invalidLSN(text)) { try LSN.parse(text) }
    }

    @Test func formatsAsUppercaseHexWithoutPadding() {
        #expect(LSN(0x16_B374_D848).description == "16/B374D848")
        #expect(LSN.zero.description == "0/0")
        #expect(LSN(UInt64.max).description == "FFFFFFFF/FFFFFFFF")
    }

    @Test func comparesByPosition() {
        #expect(LSN("0/FFFFFFFF")! < LSN("1/0")!)
        #expect([LSN(3), LSN(1), LSN(2)].sorted() == [LSN(1), LSN(2), LSN(3)])
    }

    @Test func timestampConvertsBetweenEpochs() {
        let unix = PostgresTimestamp(unixMicroseconds: 946_684_800_000_000)
        #expect(unix.microsecondsSince2000 == 0)
        #expect(PostgresTimestamp(microsecondsSince2000: 1).unixMicroseconds == 946_684_800_000_001)
    }
}
