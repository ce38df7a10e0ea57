import Foundation
import TestSupport

/// Paths in the repository and the build.
enum RepositoryPaths {
    /// The example redirects that ship with the repository.
    static var redirects: String { BuiltProducts.repositoryRoot.appendingPathComponent("redirects.d").path }

    /// The built `redirectctl`, beside the test bundle (e.g. `.build/debug/redirectctl`).
    static let redirectctl = BuiltProducts.path(of: "redirectctl")
}
