import AsyncHTTPClient
import Foundation
import NIOCore
import SpoolClient
import SpoolCore
import SpoolTesting
import Testing

/// The `spool` commands, run as processes against a real server on loopback.
@Suite(.timeLimit(.minutes(3)))
struct CLITests {
    @Test func appendCatAndListThroughTheCLI() async throws {
        try await TestServer.with { server in
            let env = ["SPOOL_URL": server.baseURL]
            let appended = try await SpoolProcess.run(
                ["append", "/agents/ada", "message/posted", #"{"content":"hello"}"#, "--idempotency-key", "k1"],
                environment: env)
            #expect(appended.status == 0, "\(appended.errors)")
            #expect(appended.output.contains("type: message/posted"))
            #expect(appended.output.contains("content: hello"))
            #expect(appended.output.contains("offset: 1"))

            let fromStdin = try await SpoolProcess.run(
                ["append", "/agents/ada", "note/added", "-", "--metadata", #"{"source":"cli"}"#], environment: env,
                standardInput: Data(#"{"text":"from stdin"}"#.utf8))
            #expect(fromStdin.status == 0, "\(fromStdin.errors)")
            #expect(fromStdin.output.contains("text: from stdin"))
            #expect(fromStdin.output.contains("source: cli"))

            let yaml = try await SpoolProcess.run(["cat", "/agents/ada"], environment: env)
            #expect(yaml.status == 0)
            #expect(yaml.output.components(separatedBy: "---\n").count == 3)
            #expect(!yaml.output.contains("\u{1B}["), "no colour when stdout is not a terminal")

            let ndjson = try await SpoolProcess.run(["cat", "/agents/ada", "--format", "ndjson", "--after", "1"], environment: env)
            let lines = ndjson.output.split(separator: "\n")
            #expect(lines.count == 1)
            let line = try #require(lines.first)
            #expect(try Event(json: JSONValue.parse(String(line))).type == "note/added")

            let json = try await SpoolProcess.run(["cat", "/agents/ada", "--format", "json"], environment: env)
            #expect(try JSONValue.parse(json.output).arrayValue?.count == 2)

            let listing = try await SpoolProcess.run(["ls", "/agents"], environment: env)
            #expect(listing.output.contains("/agents/ada"))
            #expect(listing.output.hasPrefix("PATH"))
            #expect(!listing.output.contains("paused"))
            _ = try await SpoolProcess.run(["append", "/agents/ada", "spool/stream-paused", #"{"reason":"by hand"}"#], environment: env)
            let paused = try await SpoolProcess.run(["ls", "/agents"], environment: env)
            #expect(paused.output.split(separator: "\n").last?.hasSuffix("  paused") == true, "\(paused.output)")

            for negative in [["cat", "/agents/ada", "--after", "-1"], ["chat", "/agents/ada", "--message", "hi", "--timeout", "-5"]] {
                let refused = try await SpoolProcess.run(negative, environment: env)
                #expect(refused.status == 64, "\(negative): \(refused.errors)")
                #expect(refused.errors.contains("not -"), "\(negative): \(refused.errors)")
            }
            let dashed = try await SpoolProcess.run(["append", "/agents/ada", "note/added", "--expected-offset", "-1"], environment: env)
            #expect(dashed.status != 0)
            #expect(dashed.errors.contains("expected"), "the server judges the offset: \(dashed.errors)")
        }
    }

    @Test func serverErrorsPrintOneLineAndExitNonZero() async throws {
        try await TestServer.with { server in
            let env = ["SPOOL_URL": server.baseURL]
            _ = try await SpoolProcess.run(["append", "/x", "a"], environment: env)
            let conflict = try await SpoolProcess.run(["append", "/x", "b", "--expected-offset", "0"], environment: env)
            #expect(conflict.status != 0)
            #expect(conflict.errors.hasPrefix("error: "))
            #expect(conflict.errors.contains("offset_conflict"))
            #expect(conflict.errors.split(separator: "\n").count == 1)

            let missing = try await SpoolProcess.run(["cat", "/never"], environment: env)
            #expect(missing.status != 0)
            #expect(missing.errors.contains("stream_not_found"))

            let badJSON = try await SpoolProcess.run(["append", "/x", "a", "{nope"], environment: env)
            #expect(badJSON.status != 0)
            #expect(badJSON.errors.hasPrefix("error: malformed JSON") && !badJSON.errors.contains("invalid_request"), "\(badJSON.errors)")

            let unreachable = try await SpoolProcess.run(["ls"], environment: ["SPOOL_URL": "http://127.0.0.1:1"])
            #expect(unreachable.status != 0)
            #expect(unreachable.errors == "error: cannot reach Spool at http://127.0.0.1:1: connection refused (is `spool serve` running there?) (unavailable)\n")

            // Following a stream on no server at all ends at once too, instead of retrying unseen.
            let following = try await SpoolProcess.run(["cat", "/x", "--live"], environment: ["SPOOL_URL": "http://127.0.0.1:1"])
            #expect(following.status != 0)
            #expect(following.errors.contains("connection refused"))
        }
    }

    /// A proxy's HTML page or an empty answer is one line naming the status and the URL, with
    /// no Spool error code, as the server sent none.
    @Test func errorAnswersNotFromSpoolPrintOneLineWithoutACode() async throws {
        let page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        try await CannedAnswerServer.with(status: .badGateway, body: page) { server in
            let listing = try await SpoolProcess.run(["ls"], environment: ["SPOOL_URL": server.baseURL])
            #expect(listing.status == 1)
            #expect(listing.errors == "error: HTTP 502 Bad Gateway from \(server.baseURL)/streams?prefix=/\n", "\(listing.errors)")
        }
        try await CannedAnswerServer.with(status: .notFound, contentType: "text/plain", body: "") { server in
            let reading = try await SpoolProcess.run(["cat", "/x"], environment: ["SPOOL_URL": server.baseURL])
            #expect(reading.status == 1)
            #expect(reading.errors == "error: HTTP 404 Not Found from \(server.baseURL)/streams/x?after=0&limit=1000\n", "\(reading.errors)")
        }
        let longText = "upstream\r\n  said:\t" + String(repeating: "no ", count: 60)
        try await CannedAnswerServer.with(status: .serviceUnavailable, contentType: "text/plain", body: longText) { server in
            let listing = try await SpoolProcess.run(["ls"], environment: ["SPOOL_URL": server.baseURL])
            let said = "upstream said: " + String(repeating: "no ", count: 60).prefix(85) + "…"
            #expect(listing.errors == "error: HTTP 503 Service Unavailable from \(server.baseURL)/streams?prefix=/: \(said)\n", "\(listing.errors)")
        }
    }

    @Test func catLiveFollowsNewEvents() async throws {
        try await TestServer.with { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let path = try StreamPath("/live/cli")
            try await client.append(AppendInput(type: "before"), to: path)
            let follower = try SpoolProcess(
                arguments: ["cat", "/live/cli", "--live", "--format", "ndjson"], environment: ["SPOOL_URL": server.baseURL])
            defer { follower.stop() }
            var seen = await follower.readOutputChunk()
            #expect(seen.contains(#""type":"before""#))
            try await client.append(AppendInput(type: "after"), to: path)
            let deadline = ContinuousClock.now + .seconds(10)
            while !seen.contains(#""type":"after""#), ContinuousClock.now < deadline {
                seen += await follower.readOutputChunk()
            }
            #expect(seen.contains(#""type":"after""#))
        }
    }

    /// `--last N` prints a stream's last N events, and with `--live` goes on from there.
    @Test func catLastPrintsTheNewestEvents() async throws {
        try await TestServer.with { server in
            let env = ["SPOOL_URL": server.baseURL]
            let client = SpoolClient(baseURL: server.baseURL)
            let path = try StreamPath("/last/cli")
            for number in 1...5 { try await client.append(AppendInput(type: "n/\(number)"), to: path) }
            func types(_ arguments: [String]) async throws -> [String] {
                let result = try await SpoolProcess.run(["cat", "/last/cli", "--format", "ndjson"] + arguments, environment: env)
                #expect(result.status == 0, "\(arguments): \(result.errors)")
                return try result.output.split(separator: "\n").map { try Event(json: JSONValue.parse(String($0))).type }
            }
            #expect(try await types(["--last", "2"]) == ["n/4", "n/5"])
            #expect(try await types(["-n", "9"]) == ["n/1", "n/2", "n/3", "n/4", "n/5"], "more than there are")
            #expect(try await types(["--last", "0"]) == [])
            #expect(try await types(["--last", "3", "--after", "3"]) == ["n/4", "n/5"], "the later of the two starts")
            for (arguments, message) in [(["--last", "-1"], "--last takes a number of events"), (["--live", "--format", "json"], "--live prints yaml or ndjson")] {
                // Refused before anything is sent, with cat's own usage.
                let refused = try await SpoolProcess.run(["cat", "/last/cli"] + arguments, environment: ["SPOOL_URL": "http://127.0.0.1:1"])
                #expect(refused.status == 64 && refused.errors.contains(message), "\(refused.errors)")
                #expect(refused.errors.contains("Usage: spool cat"), "\(refused.errors)")
            }
            let missing = try await SpoolProcess.run(["cat", "/last/never", "--last", "2"], environment: env)
            #expect(missing.status != 0 && missing.errors.contains("stream_not_found"), "\(missing.errors)")

            let follower = try SpoolProcess(arguments: ["cat", "/last/cli", "--last", "1", "--live", "--format", "ndjson"], environment: env)
            defer { follower.stop() }
            var seen = await follower.readOutputChunk()
            try await client.append(AppendInput(type: "n/6"), to: path)
            let deadline = ContinuousClock.now + .seconds(10)
            while !seen.contains(#""type":"n/6""#), ContinuousClock.now < deadline {
                seen += await follower.readOutputChunk()
            }
            let followed = try seen.split(separator: "\n").map { try Event(json: JSONValue.parse(String($0))).type }
            #expect(followed == ["n/5", "n/6"])
        }
    }

    @Test func theClientReadsAHeadOffsetWithoutTheStream() async throws {
        try await TestServer.with(configure: { $0.authToken = "head-token" }) { server in
            let client = SpoolClient(baseURL: server.baseURL, token: "head-token")
            let path = try StreamPath("/head/client")
            #expect(try await client.headOffset(of: path) == nil, "never written")
            for _ in 1...3 { try await client.append(AppendInput(type: "t"), to: path) }
            #expect(try await client.headOffset(of: path) == 3)
            do {
                _ = try await SpoolClient(baseURL: server.baseURL).headOffset(of: path)
                Issue.record("read without the token")
            } catch let error as SpoolError {
                #expect(error.code == .unauthorized, "the server's error, not a missing header: \(error)")
            }
        }
    }

    /// A bad path is a usage error of the command it was given to, before anything is sent.
    @Test func aBadStreamPathIsAUsageErrorOfItsCommand() async throws {
        let result = try await SpoolProcess.run(["append", "bad path", "t"], environment: ["SPOOL_URL": "http://127.0.0.1:1"])
        #expect(result.status == 64)
        #expect(result.errors.contains("stream path segment 'bad path' contains a character outside"))
        #expect(result.errors.contains("Usage: spool append <path> <type>"))
    }

    @Test func serveRefusesPublicAddressWithoutToken() async throws {
        let result = try await SpoolProcess.run(["serve", "--host", "0.0.0.0", "--port", "0", "--data", TestServer.temporaryDirectory()])
        #expect(result.status != 0)
        #expect(result.errors.contains("SPOOL_AUTH_TOKEN"))
    }

    @Test func serveRefusesADataDirectoryAnotherServerServes() async throws {
        let directory = TestServer.temporaryDirectory()
        let first = try await SpoolProcess.serve(dataDirectory: directory)
        let second = try await SpoolProcess.run(["serve", "--port", "0", "--data", directory])
        #expect(second.status == 2)
        #expect(second.errors.contains("another Spool server (pid \(first.process.processIdentifier)) is serving"))
        await first.kill()
        // `kill -9` leaves no lock behind: the kernel drops it with the process.
        let restarted = try await SpoolProcess.serve(dataDirectory: directory)
        #expect(await restarted.terminate() == 0)
    }

    /// A database the server may only read stops it at start, in one line and with status 2,
    /// instead of failing every append (root writes whatever a file's mode: so it is made immutable).
    @Test(.enabled(if: ImmutableFile.isSupported, "files cannot be made immutable here"))
    func serveRefusesADatabaseItCannotWrite() async throws {
        let directory = TestServer.temporaryDirectory()
        let first = try await SpoolProcess.serve(dataDirectory: directory)
        #expect(await first.terminate() == 0)
        let database = directory + "/spool.sqlite"
        try ImmutableFile.set(database, immutable: true)
        defer { try? ImmutableFile.set(database, immutable: false) }
        let second = try await SpoolProcess.run(["serve", "--port", "0", "--data", directory])
        #expect(second.status == 2)
        #expect(second.output.isEmpty, "it does not say it listens: \(second.output)")
        #expect(second.errors.hasPrefix("error: cannot write the database \(database): it is read-only for this user"), "\(second.errors)")
        #expect(second.errors.split(separator: "\n").count == 1, "\(second.errors)")
    }

    /// At debug level the server logs one line per request (method, path, status, duration,
    /// request id); at info, none.
    @Test func serveLogsEachRequestAtDebugLevelOnly() async throws {
        for (level, logged) in [("debug", true), ("info", false)] {
            let server = try await SpoolProcess.serve(dataDirectory: TestServer.temporaryDirectory(), extraArguments: ["--log-level", level])
            let env = ["SPOOL_URL": server.baseURL]
            #expect(try await SpoolProcess.run(["append", "/logged/a", "note/added"], environment: env).status == 0)
            #expect(try await SpoolProcess.run(["cat", "/logged/a"], environment: env).status == 0)
            #expect(await server.terminate() == 0)
            let errors = await server.finish().errors
            let lines = errors.split(separator: "\n").filter { $0.contains("/streams/logged/a") }
            if logged {
                #expect(lines.contains { $0.contains(" debug spool: hb.request.id=") && $0.hasSuffix("POST /streams/logged/a 201") }, "\(errors)")
                #expect(lines.contains { $0.contains("spool.durationMicros=") && $0.hasSuffix("GET /streams/logged/a 200") }, "\(errors)")
            } else {
                #expect(lines.isEmpty, "\(errors)")
            }
        }
    }

    /// A port out of range or an unreadable SPOOL_PORT is refused, not wrapped or ignored.
    @Test func serveRefusesPortsThatAreNotPorts() async throws {
        let data = TestServer.temporaryDirectory()
        // Usage errors (64) with serve's usage, whether the flag or SPOOL_PORT says it.
        for (arguments, environment, port) in [
            (["--port", "99999"], [:], "99999"), (["--port", "-1"], [:], "-1"), ([], ["SPOOL_PORT": "-1"], "-1"),
            ([], ["SPOOL_PORT": "65536"], "65536"),
        ] {
            let refused = try await SpoolProcess.run(["serve", "--data", data] + arguments, environment: environment)
            #expect(refused.status == 64, "\(arguments) \(environment): \(refused.errors)")
            #expect(refused.errors.contains("port \(port) is not a TCP port"), "\(refused.errors)")
            #expect(refused.errors.contains("Usage: spool serve"), "\(refused.errors)")
        }
        for (arguments, message) in [(["--subscribers", "-1"], "--subscribers takes 1 or more"), (["--catch-up-events=-5"], "--catch-up-events takes 1000 or more")] {
            let refused = try await SpoolProcess.run(["bench"] + arguments)
            #expect(refused.status == 64)
            #expect(refused.errors.contains(message), "\(refused.errors)")
        }
        // The flag wins over SPOOL_PORT, whatever the variable holds.
        for value in ["abc", "-5", "70000"] {
            let refused = try await SpoolProcess.run(["serve", "--data", data, "--port", "99999"], environment: ["SPOOL_PORT": value])
            #expect(refused.status == 64 && refused.errors.contains("port 99999 is not a TCP port"), "SPOOL_PORT=\(value): \(refused.errors)")
        }
        let unreadable = try await SpoolProcess.run(["serve", "--data", data], environment: ["SPOOL_PORT": "abc"])
        #expect(unreadable.status == 64)
        #expect(unreadable.errors.contains("SPOOL_PORT must be a port number"), "\(unreadable.errors)")
        #expect(unreadable.errors.contains("Usage: spool serve"), "serve's own usage: \(unreadable.errors)")
        for (flag, value, message) in [("--circuit-breaker", "foo", "--circuit-breaker takes N/Ss"), ("--log-level", "loud", "unknown log level 'loud'")] {
            let refused = try await SpoolProcess.run(["serve", "--data", data, flag, value])
            #expect(refused.status == 64)
            #expect(refused.errors.contains(message) && refused.errors.contains("Usage: spool serve"), "\(refused.errors)")
        }
        for (arguments, environment, message) in [
            (["--allowed-origin", "app.example.com"], [:], "'app.example.com' is not an origin"),
            ([], ["SPOOL_ALLOWED_ORIGINS": "https://a.example, https://b.example/x"], "'https://b.example/x' is not an origin"),
            (["--allowed-host", "proxy:8080"], [:], "'proxy:8080' is not a host name"),
            ([], ["SPOOL_ALLOWED_HOSTS": "https://proxy"], "'https://proxy' is not a host name"),
            ([], ["SPOOL_LLM_IDLE_TIMEOUT": "soon"], "SPOOL_LLM_IDLE_TIMEOUT must be a number of seconds above 0"),
        ] {
            let refused = try await SpoolProcess.run(["serve", "--data", data] + arguments, environment: environment)
            #expect(refused.status == 64)
            #expect(refused.errors.contains(message) && refused.errors.contains("Usage: spool serve"), "\(refused.errors)")
        }
        let unknownHost = try await SpoolProcess.run(["serve", "--host", "nonexistent.invalid", "--insecure", "--port", "0", "--data", data])
        #expect(unknownHost.status == 2)
        #expect(unknownHost.errors.hasSuffix("no address is known for nonexistent.invalid; check --host\n"), "\(unknownHost.errors)")
        #expect(!unknownHost.errors.contains("SocketAddressError"), "no raw resolver error: \(unknownHost.errors)")
    }

    /// `timeout` or Ctrl-C stopping `spool bench` stops the server it started too.
    @Test func aStoppedBenchStopsItsServer() async throws {
        let bench = try SpoolProcess(arguments: ["bench", "--only", "catch-up"])  // writes a million events first: seconds
        func servers() -> [Int32] {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            return entries.compactMap(Int32.init).filter { pid in
                let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
                let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
                return fields.count > 1 && Int32(fields[1]) == bench.process.processIdentifier
            }
        }
        #expect(await eventually(timeout: .seconds(30)) { !servers().isEmpty })
        let children = servers()
        // Its server is up and its signal handlers set once it says what it measures (a fixed wait
        // was too short while other suites loaded the machine).
        #expect(await bench.waitForErrorOutput(containing: "catch-up read of"))
        #expect(await bench.terminate() == 128 + SIGTERM)
        #expect(await eventually { children.allSatisfy { !FileManager.default.fileExists(atPath: "/proc/\($0)") } })
    }

    /// `spool bench --server` on no server says so as other commands do, in one line.
    @Test func benchSaysItCannotReachAServerAsOtherCommandsDo() async throws {
        let bench = try await SpoolProcess.run(["bench", "--quick", "--only", "latency", "--server", "http://127.0.0.1:1"])
        #expect(bench.status == 1)
        #expect(bench.errors == "error: cannot reach Spool at http://127.0.0.1:1: connection refused (is `spool serve` running there?) (unavailable)\n", "\(bench.errors)")
    }

    @Test func clientCommandsRefuseAServerThatIsNoURL() async throws {
        let refused = try await SpoolProcess.run(["ls", "--server", "127.0.0.1:4711"])
        #expect(refused.status == 64)
        #expect(refused.errors.contains("must be a URL such as http://127.0.0.1:4437, not '127.0.0.1:4711'"), "\(refused.errors)")
    }

    @Test func serveOnAPortInUseSaysSoInOneLine() async throws {
        let first = try await SpoolProcess.serve(dataDirectory: TestServer.temporaryDirectory())
        defer { first.stop() }
        let port = try #require(first.baseURL.split(separator: ":").last.map(String.init))
        let second = try await SpoolProcess.run(["serve", "--port", port, "--data", TestServer.temporaryDirectory()])
        #expect(second.status == 2)
        #expect(second.errors.contains("error: cannot listen on 127.0.0.1:\(port): the port is in use (another spool serve?); choose another with --port\n"))
        #expect(!second.errors.contains("errno"), "no raw bind error: \(second.errors)")
        #expect(!second.errors.contains("cannot restore workers"), "no error logged for a startup that was called off")
    }

    @Test func serveShutsDownGracefullyOnSIGTERM() async throws {
        let server = try await SpoolProcess.serve(dataDirectory: TestServer.temporaryDirectory())
        let client = SpoolClient(baseURL: server.baseURL)
        try await client.append(AppendInput(type: "x"), to: StreamPath("/graceful"))
        #expect(await server.terminate() == 0)
    }

    /// Live readers written to straight from the publisher are ended properly by SIGTERM: each
    /// response's body ends with its last chunk after the events already sent.
    @Test func serveEndsLiveReadsCleanlyOnSIGTERM() async throws {
        let server = try await SpoolProcess.serve(dataDirectory: TestServer.temporaryDirectory())
        let client = SpoolClient(baseURL: server.baseURL)
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: server.baseURL + "/streams/graceful/live?live=true&format=ndjson"), timeout: .seconds(30))
        var body = response.body.makeAsyncIterator()
        var received = ""
        for n in 1...3 {
            try await client.append(AppendInput(type: "e\(n)"), to: StreamPath("/graceful/live"))
            while received.components(separatedBy: "\n").filter({ $0.contains("\"type\":\"e\(n)\"") }).isEmpty {
                guard let chunk = try await body.next() else { break }
                received += String(buffer: chunk)
            }
        }
        let status = await server.terminate()
        // The rest of the body, up to its proper end: a body cut off mid-chunk throws here.
        while let chunk = try await body.next() { received += String(buffer: chunk) }
        #expect(status == 0)
        let events = received.split(separator: "\n").filter { !$0.isEmpty }
        #expect(events.count == 3, "\(received)")
    }

    @Test func helpExplainsTheCommands() async throws {
        let help = try await SpoolProcess.run(["--help"])
        for command in ["serve", "append", "cat", "ls", "bench"] { #expect(help.output.contains(command)) }
    }
}

/// `spool state` through a real server with the demo processor.
@Suite(.timeLimit(.minutes(2)))
struct StateCommandTests {
    @Test func printsAProcessorsStateAtHeadAndAtAnOffset() async throws {
        let server = try await SpoolProcess.serve(dataDirectory: TestServer.temporaryDirectory(), extraArguments: ["--demo"])
        defer { server.stop() }
        let client = SpoolClient(baseURL: server.baseURL)
        let path = try StreamPath("/demo/state")
        for _ in 0..<3 { try await client.append(AppendInput(type: "demo/ping"), to: path) }
        #expect(try await eventually { try await client.read(path).filter { $0.type == "demo/pong" }.count == 3 })
        let env = ["SPOOL_URL": server.baseURL]
        let head = try await SpoolProcess.run(["state", "/demo/state", "--processor", "demo-ping-pong"], environment: env)
        #expect(head.status == 0, "\(head.errors)")
        #expect(head.output.contains("pings: 3"))
        #expect(head.output.contains("pongs: 3"))
        let early = try await SpoolProcess.run(["state", "/demo/state", "--processor", "demo-ping-pong", "--at", "1"], environment: env)
        #expect(early.output.contains("pings: 1"))
        #expect(early.output.contains("pongs: 0"))
        let unknown = try await SpoolProcess.run(["state", "/demo/state", "--processor", "nope"], environment: env)
        #expect(unknown.status != 0)
        #expect(unknown.errors.contains("not_found"))
    }
}
