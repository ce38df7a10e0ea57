import RedirectServer

// `redirectd-cgi`: the responder for CGI hosts such as fcgiwrap, one process per click.
//
// The same responder as `redirectd`, without its command line: swift-argument-parser brings FoundationEssentials
// into a program, and loading it costs more than the whole click. This program links the Swift runtime,
// libfcgi and our own targets only, and takes its settings from the environment, as CGI gives them.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

exit(RedirectApplication.serveCGI(configuration: ResponderConfiguration.fromEnvironment()))
