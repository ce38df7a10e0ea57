import CountryCodes
import Testing

@Suite struct CountryCodeTests {
    @Test(arguments: [("DE", "DE"), ("at", "AT"), ("cH", "CH"), ("XK", "XK")])
    func twoLettersInEitherCaseAreACode(text: String, expected: String) {
        #expect(CountryCode(text)?.description == expected)
    }

    @Test(arguments: ["", "D", "DEU", "D1", "Ä", "É1", " D", "DE "])
    func anythingElseIsNot(text: String) {
        #expect(CountryCode(text) == nil)
    }

    @Test func codesCompareAndOrderAsTheirText() {
        #expect(CountryCode("de") == CountryCode("DE"))
        #expect(CountryCode("AT")! < CountryCode("CH")!)
        #expect(CountryCode("CH")! < CountryCode("DE")!)
        #expect(Set(["DE", "AT", "de"].compactMap { CountryCode($0) }).count == 2)
        #expect(CountryCode(UInt8(ascii: "d"), UInt8(ascii: "e"))?.first == UInt8(ascii: "D"))
    }
}
