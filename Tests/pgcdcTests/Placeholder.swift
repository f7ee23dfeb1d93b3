import Testing

@Test func pgcdcBuilds() {}
