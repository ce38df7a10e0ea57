import SystemPackage

extension Errno {
    /// Runs swift-system calls, whose errors are always an `Errno`, so that the caller gets them typed.
    @inlinable
    public static func typed<Result>(_ body: () throws -> Result) throws(Errno) -> Result {
        do {
            return try body()
        } catch let error as Errno {
            throw error
        } catch {
            // swift-system throws nothing else; say so rather than invent an errno.
            preconditionFailure("swift-system threw \(error), which is no Errno")
        }
    }
}
