import Testing

@Test func PGOutputBuilds() {}
