// swift-tools-version:6.0
import PackageDescription

// Linux only: redirectd is built and tested on Debian 12. The responder uses Linux system calls (ppoll with a
// signal mask, SO_ACCEPTCONN, systemd's socket handover) and libfcgi from Debian's libfcgi-dev.
let package = Package(
    name: "redirectd",
    products: [
        .executable(name: "redirectd", targets: ["redirectd"]),
        .executable(name: "redirectctl", targets: ["redirectctl"]),
        .executable(name: "redirectd-cgi", targets: ["redirectd-cgi"]),
        .executable(name: "toml-test-decoder", targets: ["toml-test-decoder"]),
        .library(name: "TOML", targets: ["TOML"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        // Tests and fuzzing only (TOMLOracle): toml++ as a second opinion on our TOML parser.
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // libfcgi, wrapped by a module map only. The FastCGI loop is the one target that imports it.
        .systemLibrary(
            name: "CFastCGI",
            pkgConfig: "fcgi",
            providers: [.apt(["libfcgi-dev"])]
        ),
        // zlib, wrapped by a module map only: gzip request bodies of the importer.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // libmaxminddb, wrapped by a module map only: the country database. CountryLookup is the one target that
        // imports it.
        .systemLibrary(
            name: "CMaxMindDB",
            pkgConfig: "libmaxminddb",
            providers: [.apt(["libmaxminddb-dev"])]
        ),
        // libqrencode, wrapped by a module map only: the QR codes of `redirectctl qr`. RedirectControl is the one
        // target that imports it; nothing redirectd or redirectd-cgi links depends on it.
        .systemLibrary(
            name: "CQREncode",
            pkgConfig: "libqrencode",
            providers: [.apt(["libqrencode-dev"])]
        ),
        // Linux calls the Glibc module leaves out (declared under _GNU_SOURCE only): ppoll, close_range.
        .target(name: "CLinux"),
        // The system layer: swift-system's FileDescriptor and Errno, plus what it lacks (flock, reading a file
        // to its end) and the one stderr writer. No Foundation: the CGI responder links it.
        .target(name: "SystemIO", dependencies: [.product(name: "SystemPackage", package: "swift-system")]),
        // TOML 1.0: the parser redirect files are read with. Pure Swift, no Foundation, no dependencies.
        .target(name: "TOML"),
        // toml++ (TOMLKit) beside our parser, in one canonical JSON: for the differential fuzz target and tests.
        // Nothing redirectd or redirectctl links depends on it.
        .target(name: "TOMLOracle", dependencies: ["TOML", .product(name: "TOMLKit", package: "TOMLKit")]),
        // toml-test's decoder interface over the parser (TOML on stdin, tagged JSON on stdout).
        .executableTarget(
            name: "toml-test-decoder",
            dependencies: ["TOML", "SystemIO", .product(name: "SystemPackage", package: "swift-system")]),
        // Every setting once: flag, environment name, default, allowed values, help line. No Foundation.
        .target(name: "Settings"),
        // The operating system and form factor a user agent names, for redirect rules and the event. Pure.
        .target(name: "DeviceDetection"),
        // Two-letter country codes, for redirect rules and the event. Pure.
        .target(name: "CountryCodes"),
        // The client's country from a MaxMind DB file (--geoip), memory-mapped and reopened when replaced. No
        // Foundation: the CGI responder may link it.
        .target(
            name: "CountryLookup",
            dependencies: ["CountryCodes", "CMaxMindDB", "SystemIO", "Settings"]
        ),
        // JSON: the writer of the event line, the one reader (JSONCursor) and JSONValue. Pure, no Foundation.
        .target(name: "JSON"),
        // Timestamp: milliseconds since the epoch, the UTC calendar and RFC 3339 text. Pure, no Foundation.
        .target(name: "Timestamps"),
        // Which user agents are bots: one automaton over our patterns and the crawler-user-agents list. Pure.
        .target(name: "BotDetection"),
        // The pure core: redirect model, TOML to model, path parsing, responses, events. No I/O.
        .target(
            name: "RedirectCore",
            dependencies: ["TOML", "JSON", "Timestamps", "DeviceDetection", "BotDetection", "CountryCodes"]),
        // Redirect files on disk: the stat-revalidated cache and the directory checker.
        .target(
            name: "RedirectFiles",
            dependencies: [
                "RedirectCore", "JSON", "Timestamps", "SystemIO", "Settings",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // The click spool: time-bucketed JSON Lines files, sealing and reading.
        .target(
            name: "ClickSpool",
            dependencies: [
                "RedirectCore", "JSON", "Timestamps", "SystemIO", "Settings",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // The importer: ships sealed spool files to Tracardi or an NDJSON collector, at least once.
        .target(
            name: "ClickImport",
            dependencies: [
                "ClickSpool", "RedirectCore", "JSON", "Timestamps", "BotDetection", "SystemIO", "CZlib",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The FastCGI/CGI request loop on libfcgi.
        .target(
            name: "FastCGI",
            dependencies: ["CFastCGI", "CLinux", "SystemIO", .product(name: "SystemPackage", package: "swift-system")]
        ),
        // The responder: wires files, core, spool and the request loop together.
        .target(
            name: "RedirectServer",
            dependencies: [
                "RedirectCore", "RedirectFiles", "ClickSpool", "FastCGI", "Timestamps", "SystemIO", "Settings",
                "CountryLookup", "CountryCodes",
            ]
        ),
        // The campaign report's pure core: what it counts of a click, the counts per link and tag, the HTML page.
        .target(name: "CampaignReport", dependencies: ["RedirectCore", "JSON", "Timestamps", "BotDetection"]),
        // Library behind redirectctl's commands.
        .target(
            name: "RedirectControl",
            dependencies: [
                "CampaignReport", "RedirectCore", "RedirectFiles", "ClickSpool", "ClickImport", "JSON", "Timestamps",
                "BotDetection", "CountryLookup", "CountryCodes", "DeviceDetection", "SystemIO", "TOML",
                // redirectctl qr: libqrencode draws the code, zlib compresses the PNG.
                "CQREncode", "CZlib",
                .product(name: "SystemPackage", package: "swift-system"),
                // check --targets: HEAD/GET requests to every target.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "redirectd",
            dependencies: [
                "RedirectServer", "RedirectFiles", "ClickSpool", "FastCGI", "SystemIO", "Settings", "CountryLookup",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The CGI responder: no swift-argument-parser, so no Foundation in any form (see main.swift).
        .executableTarget(name: "redirectd-cgi", dependencies: ["RedirectServer"]),
        .executableTarget(
            name: "redirectctl",
            dependencies: [
                "CampaignReport", "RedirectControl", "ClickImport", "ClickSpool", "RedirectCore", "RedirectFiles",
                "BotDetection",
                "CountryLookup", "CountryCodes", "Timestamps", "SystemIO", "Settings",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // In-process benchmarks of the redirect-file path (bench/redirect-bench/main.swift).
        .executableTarget(
            name: "redirect-bench",
            dependencies: ["TOML", "RedirectCore", "RedirectFiles", "Timestamps", "CountryCodes"],
            path: "bench/redirect-bench"),
        // Country look-ups (bench/geoip): a ~10 MB database built by mmdb-writer, median time and memory.
        .executableTarget(
            name: "geoip-bench", dependencies: ["CountryLookup", "CountryCodes"], path: "bench/geoip",
            exclude: ["run"]),
        // Nanoseconds per device classification, on one agent and on the test corpora (bench/device-bench/main.swift).
        .executableTarget(name: "device-bench", dependencies: ["DeviceDetection"], path: "bench/device-bench"),
        .testTarget(name: "TOMLTests", dependencies: ["TOML", "TOMLOracle", "TestSupport"], exclude: ["Resources"]),
        .testTarget(
            name: "SystemIOTests",
            dependencies: ["SystemIO", .product(name: "SystemPackage", package: "swift-system")]),
        // A table of agents, and agreement with ua-parser and user-agents (PyPI, in the test venv) on real corpora.
        .testTarget(
            name: "DeviceDetectionTests", dependencies: ["DeviceDetection", "TestSupport"], exclude: ["Resources"]),
        .testTarget(
            name: "RedirectCoreTests",
            dependencies: [
                "RedirectCore", "JSON", "Timestamps", "BotDetection", "CountryCodes", "DeviceDetection", "ClickSpool",
                "TestSupport",
            ]),
        // The matcher against the list's instances and two corpora of browsers (Tests/BotPatternData).
        .testTarget(name: "BotDetectionTests", dependencies: ["BotDetection", "TestSupport"]),
        // What several test targets share (running a program to its end, a seeded random generator). Only tests
        // depend on it.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // Runs the built executables behind a real nginx; of the package's modules it imports only SystemIO (a lock).
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "SystemIO"]),
        .testTarget(name: "SettingsTests", dependencies: ["Settings", "RedirectServer", "ClickSpool", "TestSupport"]),
        // The FastCGI loop's connection state machine and idle queue as plain values, and the loop itself in a
        // child process (the built redirectd) spoken to over a unix socket, without nginx.
        .testTarget(name: "FastCGITests", dependencies: ["FastCGI", "TestSupport"]),
        // Databases made by mmdb-writer in the tests' virtual environment (scripts/test-python-env).
        .testTarget(
            name: "CountryLookupTests", dependencies: ["CountryLookup", "CountryCodes", "SystemIO", "TestSupport"],
            exclude: ["Resources"]),
        .testTarget(
            name: "RedirectFilesTests",
            dependencies: [
                "RedirectFiles", "RedirectCore", "JSON", "Timestamps", "CountryCodes", "DeviceDetection", "SystemIO",
            ]),
        // Resources: target-server.py (check --targets) and decode_qr.py (redirectctl qr's codes read back with
        // zxing-cpp), both run in the tests' virtual environment.
        .testTarget(
            name: "RedirectControlTests",
            dependencies: [
                "CampaignReport", "RedirectControl", "ClickSpool", "RedirectCore", "JSON", "Timestamps", "BotDetection",
                "ClickImport", "CountryCodes", "TestSupport",
                // The responder's click handler, for clicks answered while `deploy` switches releases.
                "RedirectServer", "RedirectFiles", "FastCGI",
            ],
            exclude: ["Resources"]),
        .testTarget(
            name: "ClickSpoolTests", dependencies: ["ClickSpool", "RedirectCore", "Timestamps", "TestSupport"]),
        .testTarget(
            name: "ClickImportTests",
            dependencies: [
                "CampaignReport", "ClickImport", "RedirectControl", "ClickSpool", "RedirectCore", "JSON", "Timestamps",
                "BotDetection", "SystemIO",
                "TestSupport",
            ],
            exclude: ["Resources"]
        ),
    ]
)
