import Foundation
import Testing

/// Every Swift code block of the README's library section and of the DocC articles is code a test
/// compiles and runs: each must appear verbatim in a test source (or in an example program), so a
/// change to a document that the tests do not follow — or the reverse — fails here.
@Suite struct DocumentedCodeTests {
    static var root: URL { DocumentedExampleTests.root }

    /// The documents and, for the README, the part of it that documents the library.
    static func documents() throws -> [(name: String, text: String)] {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "\n## The library\n"))
        let end = try #require(readme.range(of: "\n## ", range: start.upperBound..<readme.endIndex))
        var documents = [(name: "README.md (The library)", text: String(readme[start.lowerBound..<end.lowerBound]))]
        let catalog = root.appendingPathComponent("Sources/PostgresCDC/PostgresCDC.docc")
        for file in try FileManager.default.contentsOfDirectory(atPath: catalog.path).sorted() where file.hasSuffix(".md") {
            documents.append((file, try String(contentsOf: catalog.appendingPathComponent(file), encoding: .utf8)))
        }
        return documents
    }

    /// The ```swift blocks of `text`.
    static func swiftBlocks(_ text: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.trimmingCharacters(in: .whitespaces) == "```swift" {
                current = []
            } else if let lines = current, line.trimmingCharacters(in: .whitespaces) == "```" {
                blocks.append(lines.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    /// The sources a documented block may come from: the tests that run them, and the examples.
    static func runnableSources() throws -> String {
        var text = ""
        for folder in ["Tests", "examples"] {
            let url = root.appendingPathComponent(folder)
            guard let files = FileManager.default.enumerator(atPath: url.path) else { continue }
            for case let file as String in files where file.hasSuffix(".swift") && !file.hasSuffix("DocumentedCodeTests.swift") {
                text += try String(contentsOf: url.appendingPathComponent(file), encoding: .utf8) + "\n"
            }
        }
        return text
    }

    /// `text` with every line's leading blanks removed: a test may hold a block nested in a type.
    static func unindented(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.drop { $0 == " " } }.joined(separator: "\n")
    }

    @Test func everyDocumentedSwiftBlockIsCodeATestRuns() throws {
        let sources = try Self.runnableSources()
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        var checked = 0
        for document in try Self.documents() {
            for block in Self.swiftBlocks(document.text) {
                checked += 1
                let lines = block.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                if lines.allSatisfy({ $0.isEmpty || $0.hasPrefix("//") || $0.hasPrefix(".package(") || $0.hasPrefix(".product(") }) {
                    // A manifest fragment: the products it names are this package's, or products of a
                    // package this one depends on too (so the version it names resolves here).
                    for line in lines where line.hasPrefix(".product(") {
                        let quoted = line.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
                        let name = quoted.first ?? ""
                        let package = quoted.dropFirst().first ?? "pgcdc"
                        if package == "pgcdc" {
                            #expect(
                                manifest.contains(".library(name: \"\(name)\""),
                                "\(document.name) names a product \(name) that does not exist")
                        } else {
                            #expect(
                                manifest.contains(".product(name: \"\(name)\", package: \"\(package)\")")
                                    && manifest.contains("/\(package)\", from:"),
                                "\(document.name) names \(package)'s product \(name), which this package does not use")
                        }
                    }
                    for line in lines where line.hasPrefix(".package(url:") {
                        let url = line.split(separator: "\"").dropFirst().first.map(String.init) ?? ""
                        #expect(
                            manifest.contains(".package(url: \"\(url)\""), "\(document.name) names a package \(url) this one does not use")
                    }
                    continue
                }
                // Its imports aside (a test file has them at its top), the block is in a runnable source.
                let code = block.split(separator: "\n", omittingEmptySubsequences: false)
                    .drop { $0.hasPrefix("import ") || $0.isEmpty }.joined(separator: "\n")
                let runs = Self.unindented(sources).contains(Self.unindented(code))
                #expect(runs, "\(document.name): a code block that no test runs:\n\(block)")
            }
        }
        #expect(checked >= 4)
    }
}
