import Testing
@testable import PostgresCDC
@testable import PostgresCDCEvents

/// PostgreSQL's array text form, parsed into the structure a visitor sees (no server).
@Suite struct ArrayTextParserTests {
    /// Records what the parser reports: `[`, `]`, `,`, `N` for NULL, `<text>` for an element.
    struct Trace: ArrayTextVisitor {
        var events = ""
        mutating func beginArray() { events += "[" }
        mutating func endArray() { events += "]" }
        mutating func separator() { events += "," }
        mutating func null() { events += "N" }
        mutating func element(_ text: ArraySlice<UInt8>) { events += "<\(String(decoding: text, as: UTF8.self))>" }
    }

    /// The trace of `text`, or `nil` when the parser calls it malformed.
    static func parse(_ text: String, delimiter: Character = ",") -> String? {
        var trace = Trace()
        var parser = ArrayTextParser(text: Array(text.utf8)[...], delimiter: delimiter.asciiValue ?? UInt8(ascii: ","))
        return parser.parse(into: &trace) ? trace.events : nil
    }

    @Test func elementsNullsAndNestedLevels() {
        #expect(Self.parse("{1,2,NULL}") == "[<1>,<2>,N]")
        #expect(Self.parse("{{1,2},{3,4}}") == "[[<1>,<2>],[<3>,<4>]]")
        #expect(Self.parse("{}") == "[]")
        #expect(Self.parse(" { a , null } ") == "[<a>,N]")
    }

    @Test func quotedElementsLoseTheirQuotesAndEscapesAndAreNeverNull() {
        #expect(Self.parse(#"{"a,b","c\"d","NULL",""}"#) == #"[<a,b>,<c"d>,<NULL>,<>]"#)
    }

    @Test func explicitBoundsAreSkippedAndTheDelimiterIsTheTypes() {
        #expect(Self.parse("[0:1]={1,2}") == "[<1>,<2>]")
        #expect(Self.parse("{(0,0),(1,1);(2,2),(3,3)}", delimiter: ";") == "[<(0,0),(1,1)>,<(2,2),(3,3)>]")
    }

    @Test func malformedTextIsRefused() {
        let tooDeep = String(repeating: "{", count: 65) + String(repeating: "}", count: 65)
        for text in ["", "1,2", "{1,2", "{1,,2}", #"{"open}"#, "{1}x", "{a\"b}", "[0:1]{1}", tooDeep] {
            #expect(Self.parse(text) == nil, "\(text)")
        }
        let deepest = String(repeating: "{", count: 64) + "1" + String(repeating: "}", count: 64)
        #expect(Self.parse(deepest) != nil)
    }
}
