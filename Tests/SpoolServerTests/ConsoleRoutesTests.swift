import SpoolConsole
import Testing

/// The web console: `GET /` and `GET /ui/…` serve the assets compiled into the binary.
@Suite(.timeLimit(.minutes(3))) struct ConsoleRoutesTests {
    @Test func rootServesTheConsolePage() async throws {
        try await withSpoolServer { http in
            let page = try await http.get("/")
            #expect(page.status == 200)
            #expect(page.header("Content-Type") == "text/html; charset=utf-8")
            #expect(page.text.contains("<script type=\"module\" src=\"/ui/js/main.js\">"))
            #expect(page.header("Content-Security-Policy")?.contains("script-src 'self'") == true)
            #expect(page.header("ETag") == ConsoleAssets.index?.etag)
        }
    }

    @Test func assetsHaveTheirContentTypes() async throws {
        try await withSpoolServer { http in
            let script = try await http.get("/ui/js/main.js")
            #expect(script.status == 200)
            #expect(script.header("Content-Type") == "text/javascript; charset=utf-8")
            #expect(script.header("X-Content-Type-Options") == "nosniff")
            #expect(script.body == ConsoleAssets.asset(at: "js/main.js")?.bytes)
            let style = try await http.get("/ui/style.css")
            #expect(style.header("Content-Type") == "text/css; charset=utf-8")
            #expect(style.header("Cache-Control") == "no-cache")
        }
    }

    @Test func aCurrentCopyIsNotSentAgain() async throws {
        try await withSpoolServer { http in
            let first = try await http.get("/ui/style.css")
            let etag = try #require(first.header("ETag"))
            let again = try await http.get("/ui/style.css", headers: [("If-None-Match", etag)])
            #expect(again.status == 304)
            #expect(again.body.isEmpty)
            #expect(try await http.get("/ui/style.css", headers: [("If-None-Match", "\"stale\"")]).status == 200)
        }
    }

    @Test func unknownAssetsAreJSONNotFound() async throws {
        try await withSpoolServer { http in
            try expectError(try await http.get("/ui/no-such-file.js"), status: 404, code: "not_found")
            try expectError(try await http.get("/ui/../streams"), status: 404, code: "not_found")
        }
    }

    @Test func theConsoleLoadsWithoutTheTokenButTheAPIStillNeedsIt() async throws {
        try await withSpoolServer(configure: { $0.authToken = "console-token" }) { http in
            #expect(try await http.get("/").status == 200)
            #expect(try await http.get("/ui/js/api.js").status == 200)
            try expectError(try await http.get("/streams"), status: 401, code: "unauthorized")
            for target in ["/ui/../streams", "/ui/%2E%2E/streams", "/ui/x/../../processors"] {
                let read = try await http.get(target)
                #expect(read.status != 200, "GET \(target): \(read.status) \(read.text)")
            }
        }
    }

    @Test func everyAssetIsEmbedded() {
        for path in ["index.html", "style.css", "js/main.js", "js/api.js", "js/sse.js", "js/virtual-list.js"] {
            #expect(ConsoleAssets.asset(at: path)?.bytes.isEmpty == false, "\(path)")
        }
        #expect(ConsoleAsset(path: "a.svg", bytes: []).contentType == "image/svg+xml")
        #expect(ConsoleAsset(path: "a", bytes: [1]).etag != ConsoleAsset(path: "a", bytes: [2]).etag)
    }
}
