/// Why `redirectctl deploy` could not run (exit status 2): git failed, the root is not writable, the live
/// name is taken by something the command did not make. The live set is untouched whenever this is thrown.
public struct DeployError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
