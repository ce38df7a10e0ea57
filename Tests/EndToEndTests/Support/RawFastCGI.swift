import TestSupport

/// The FastCGI client the end-to-end tests hold connections with; it lives in `TestSupport`, where the FastCGI
/// loop's tests use it too.
typealias RawFastCGI = TestSupport.RawFastCGI
