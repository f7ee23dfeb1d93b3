import Testing

@Test func PostgresCDCBuilds() {}
