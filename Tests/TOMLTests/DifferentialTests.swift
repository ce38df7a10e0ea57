import Foundation
import TOML
import TOMLOracle
import Testing

/// toml++ (through TOMLKit) as a second opinion: on every valid toml-test case, both parsers read the same
/// values. (The fuzz target toml-differential does the same for generated documents.)
@Suite struct DifferentialTests {
    @Test(arguments: ConformanceCases.valid)
    func tomlPlusPlusReadsTheSameValues(_ path: String) throws {
        let text = try String(contentsOf: ConformanceCases.root.appendingPathComponent(path), encoding: .utf8)
        let ours = TOMLKitOracle.canonicalJSON(of: try TOMLParser().parse(text))
        let theirs = TOMLKitOracle.canonicalJSON(parsing: text)
        #expect(theirs == .success(ours))
    }
}

extension TOMLKitDisagreement: Equatable {
    public static func == (a: TOMLKitDisagreement, b: TOMLKitDisagreement) -> Bool { a.message == b.message }
}
