extension ClickRequest {
    /// The primary subtag of the visitor's first-choice language (``AcceptLanguage``), read from the
    /// `Accept-Language` header in place: no string is made.
    public var firstChoiceLanguage: PrimaryLanguage? {
        fields.withBytes(of: Parameter.acceptLanguage.rawValue) { bytes in
            bytes.flatMap(AcceptLanguage.firstChoice(bytes:))
        }
    }
}
