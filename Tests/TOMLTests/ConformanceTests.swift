import Foundation
import Testing

/// toml-test's TOML 1.0 cases through `toml-test-decoder`, the way toml-test itself drives a decoder.
@Suite struct ConformanceTests {
    @Test func everyCaseIsThere() {
        // The copy in Resources is complete: a lost directory would otherwise pass as zero cases.
        #expect(ConformanceCases.valid.count == 150)
        #expect(ConformanceCases.invalid.count == 367)
        #expect(FileManager.default.fileExists(atPath: ConformanceCases.root.appendingPathComponent("LICENSE").path))
    }

    @Test(arguments: ConformanceCases.valid)
    func validDocumentDecodesToTheExpectedJSON(_ path: String) throws {
        let file = ConformanceCases.root.appendingPathComponent(path)
        let expectedFile = file.deletingPathExtension().appendingPathExtension("json")
        let expected = try TaggedJSON.parse(Data(contentsOf: expectedFile))
        let result = try ConformanceCases.decode(file)
        #expect(result.status == 0, "\(result.stderr)")
        guard result.status == 0 else { return }
        let actual = try TaggedJSON.parse(Data(result.stdout.utf8))
        let difference = TaggedJSON.difference(expected: expected, actual: actual)
        #expect(difference == nil, "\(difference ?? "")")
    }

    @Test(arguments: ConformanceCases.invalid)
    func invalidDocumentIsRefusedWithAMessage(_ path: String) throws {
        let result = try ConformanceCases.decode(ConformanceCases.root.appendingPathComponent(path))
        // 1 and a message: not a crash (a signal), not a partial result on standard output.
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.wholeMatch(of: #/toml-test-decoder: \d+:\d+: .+\n/#) != nil, "\(result.stderr)")
    }
}
