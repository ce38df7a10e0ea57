import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Debian's `clickhouse-server` as a child process of the test: free loopback ports, data and config in a
/// temporary directory, stopped with the suite. Queries go over its HTTP interface with curl.
/// `@unchecked`: the process is touched only in `init` and `stop`, which the suite trait calls once each.
final class TestClickHouse: @unchecked Sendable {
    static let serverPath = "/usr/sbin/clickhouse-server"

    /// The server of the running suite (see `ClickHouseServerTrait`).
    @TaskLocal static var current: TestClickHouse?

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A server's loopback ports: HTTP for queries, TCP (native protocol) for the other servers of a cluster and
    /// the interserver port, each distinct so that several servers share the host.
    struct Ports {
        var http: Int
        var tcp: Int
        var interserver: Int

        static func free() throws -> Ports {
            Ports(http: try freePort(), tcp: try freePort(), interserver: try freePort())
        }
    }

    let directory: String
    let httpPort: Int
    let ports: Ports
    private var pid: pid_t = 0

    /// One server; `remoteServers`: a `<remote_servers>` element for its configuration (see `cluster`).
    init(ports given: Ports? = nil, remoteServers: String = "") throws {
        guard FileManager.default.isExecutableFile(atPath: Self.serverPath) else {
            throw Failure(
                description: "\(Self.serverPath) is missing: the ClickHouse tests need Debian's "
                    + "clickhouse-server and clickhouse-client (scripts/install-deps installs them)")
        }
        directory = NSTemporaryDirectory() + "redirectd-clickhouse-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        ports = try given ?? Ports.free()
        httpPort = ports.http
        let tcpPort = ports.tcp
        let config = """
            <?xml version="1.0"?>
            <yandex>
                <logger><level>warning</level><log>\(directory)/server.log</log>\
            <errorlog>\(directory)/server.err.log</errorlog></logger>
                <listen_host>127.0.0.1</listen_host>
                <http_port>\(httpPort)</http_port>
                <tcp_port>\(tcpPort)</tcp_port>
                <interserver_http_port>\(ports.interserver)</interserver_http_port>
                <path>\(directory)/data/</path>
                <tmp_path>\(directory)/tmp/</tmp_path>
                <user_files_path>\(directory)/user_files/</user_files_path>
                <format_schema_path>\(directory)/format_schemas/</format_schema_path>
                <timezone>UTC</timezone>
                <mark_cache_size>67108864</mark_cache_size>
                <users><default><password></password><networks><ip>127.0.0.1</ip></networks>\
            <profile>default</profile><quota>default</quota></default></users>
                <profiles><default></default></profiles>
                <quotas><default></default></quotas>
            \(remoteServers)
            </yandex>
            """
        try config.write(toFile: directory + "/config.xml", atomically: true, encoding: .utf8)
        try start()
    }

    /// Two (or more) servers on this host as the shards of one cluster, `name`, in each one's `remote_servers`:
    /// what `redirectctl clickhouse-schema --cluster` sets up tables on.
    static func cluster(named name: String, shards: Int = 2) throws -> [TestClickHouse] {
        let ports = try (0..<shards).map { _ in try Ports.free() }
        let entries = ports.map {
            "<shard><replica><host>127.0.0.1</host><port>\($0.tcp)</port></replica></shard>"
        }.joined()
        let remoteServers = "<remote_servers><\(name)>\(entries)</\(name)></remote_servers>"
        var servers: [TestClickHouse] = []
        do {
            for port in ports { servers.append(try TestClickHouse(ports: port, remoteServers: remoteServers)) }
        } catch {
            for server in servers { server.stop() }
            throw error
        }
        return servers
    }

    /// Starts the server on its configuration and data, and returns once it answers.
    func start() throws {
        // Not Foundation's Process: with the server started by it, Foundation's child monitor thread was found
        // blocked in a waitpid on the (running) server, and no later child's exit (curl's) was ever seen.
        pid = try Self.spawn(Self.serverPath, ["--config-file=\(directory)/config.xml"], log: directory + "/stderr.log")
        let limit = Date().addingTimeInterval(60)
        while (try? query("SELECT 1")) != "1\n" {
            guard isRunning, Date() < limit else {
                let log = (try? String(contentsOfFile: directory + "/server.err.log", encoding: .utf8)) ?? ""
                stop()
                throw Failure(description: "clickhouse-server did not answer on port \(httpPort): \(log.suffix(2000))")
            }
            usleep(50_000)
        }
    }

    private var isRunning: Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// Ends the server and removes its data.
    func stop() {
        halt()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Ends the server, keeping its data for `start()`: a shard that is down for a while.
    func halt() {
        if isRunning {
            kill(pid, SIGTERM)
            let limit = Date().addingTimeInterval(3)
            while isRunning && Date() < limit { usleep(20_000) }
            if isRunning {
                kill(pid, SIGKILL)
                var status: Int32 = 0
                waitpid(pid, &status, 0)
            }
        }
    }

    /// Starts `path` with stdin from /dev/null and stdout and stderr into `log`.
    private static func spawn(_ path: String, _ arguments: [String], log: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard result == 0 else { throw Failure(description: "cannot start \(path): errno \(result)") }
        return pid
    }

    var url: String { "http://127.0.0.1:\(httpPort)/" }

    /// Runs one statement; returns the answer, or throws with ClickHouse's error text.
    @discardableResult
    func query(_ sql: String) throws -> String {
        let (status, body) = try Self.curl(
            ["-sS", "--fail-with-body", "--max-time", "30", "--data-binary", "@-", url],
            input: sql)
        guard status == 0 else { throw Failure(description: "curl exit \(status): \(body)") }
        return body
    }

    /// The answer of a `FORMAT JSONEachRow` query, one dictionary a row.
    func rows(_ sql: String) throws -> [[String: Any]] {
        try query(sql + " FORMAT JSONEachRow").split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }

    /// A number a query answers with.
    func count(_ sql: String) throws -> Int {
        let text = try query(sql).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = Int(text) else { throw Failure(description: "not a number: \(text)") }
        return value
    }

    /// curl with the request body from a file and the answer into one: no pipes for child processes to inherit.
    private static func curl(_ arguments: [String], input: String) throws -> (status: Int32, body: String) {
        let sql = NSTemporaryDirectory() + "redirectd-clickhouse-query-" + UUID().uuidString + ".sql"
        defer { try? FileManager.default.removeItem(atPath: sql) }
        try input.write(toFile: sql, atomically: false, encoding: .utf8)
        let run = try ProcessRun.run("/usr/bin/curl", arguments.map { $0 == "@-" ? "@" + sql : $0 })
        return (run.status, run.stdout)
    }

    /// A loopback port nothing listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "bind: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Starts one ClickHouse server for a whole suite and stops it when the suite ends.
struct ClickHouseServerTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        let server = try TestClickHouse()
        defer { server.stop() }
        try await TestClickHouse.$current.withValue(server) {
            try await function()
        }
    }
}

extension Trait where Self == ClickHouseServerTrait {
    /// A real `clickhouse-server` for the suite, reachable as `TestClickHouse.current`.
    static var clickHouseServer: Self { Self() }
}

/// Starts a cluster of two ClickHouse servers, `fleet`, for a whole suite and stops them when the suite ends.
struct ClickHouseClusterTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        let servers = try TestClickHouse.cluster(named: "fleet")
        defer { for server in servers { server.stop() } }
        try await TestClickHouse.$currentCluster.withValue(servers) {
            try await function()
        }
    }
}

extension TestClickHouse {
    /// The servers of the running suite's cluster `fleet` (see `ClickHouseClusterTrait`).
    @TaskLocal static var currentCluster: [TestClickHouse] = []
}

extension Trait where Self == ClickHouseClusterTrait {
    /// Two real `clickhouse-server`s as the shards of cluster `fleet`, as `TestClickHouse.currentCluster`.
    static var clickHouseCluster: Self { Self() }
}
