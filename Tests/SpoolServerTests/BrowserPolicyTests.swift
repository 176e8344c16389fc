import Testing

@testable import SpoolServer

/// What web pages may ask of the server, decided without a server.
@Suite struct BrowserPolicyTests {
    static let local = BrowserPolicy(allowedOrigins: ["https://App.example.com/"], checksHost: true, allowedHosts: ["spool.internal"])

    static func request(
        _ method: String = "POST", path: Substring = "/streams/a", host: String? = "127.0.0.1:4437", origin: String? = nil,
        fetchSite: String? = nil, preflightMethod: String? = nil
    ) -> BrowserPolicy.Request {
        BrowserPolicy.Request(method: method, path: path, host: host, origin: origin, fetchSite: fetchSite, preflightMethod: preflightMethod)
    }

    static func isRefused(_ verdict: BrowserPolicy.Verdict) -> Bool {
        if case .refuse = verdict { return true }
        return false
    }

    @Test func clientsThatAreNotBrowsersAreServed() {
        #expect(Self.local.verdict(for: Self.request()) == .serve)
        #expect(Self.local.verdict(for: Self.request("PUT", path: "/checkpoints/c")) == .serve)
    }

    @Test(arguments: ["cross-site", "same-site", "CROSS-SITE"])
    func aPageOfAnotherOriginMayNotWrite(fetchSite: String) {
        for method in ["POST", "PUT", "DELETE", "PATCH"] {
            let verdict = Self.local.verdict(for: Self.request(method, origin: "https://evil.example", fetchSite: fetchSite))
            guard case .refuse(let message) = verdict else {
                Issue.record("\(method) from another site: \(verdict)")
                continue
            }
            #expect(message.contains("'https://evil.example'") && message.contains("--allowed-origin"))
        }
        // Without an Origin header (no browser sends a write so), still refused: the browser said cross-site.
        #expect(Self.isRefused(Self.local.verdict(for: Self.request(fetchSite: fetchSite))))
    }

    @Test func withoutFetchMetadataTheOriginIsComparedWithTheHost() {
        #expect(Self.isRefused(Self.local.verdict(for: Self.request(origin: "https://evil.example"))))
        #expect(Self.isRefused(Self.local.verdict(for: Self.request(origin: "http://127.0.0.1:9999"))), "another port is another origin")
        #expect(Self.isRefused(Self.local.verdict(for: Self.request(origin: "null"))), "a sandboxed page or a file")
        #expect(Self.local.verdict(for: Self.request(origin: "http://127.0.0.1:4437")) == .serve)
        #expect(Self.local.verdict(for: Self.request(host: "LOCALHOST:4437", origin: "http://localhost:4437")) == .serve)
    }

    @Test func theBrowsersWordOnSameOriginIsTaken() {
        #expect(Self.local.verdict(for: Self.request(origin: "http://127.0.0.1:4437", fetchSite: "same-origin")) == .serve)
        #expect(Self.local.verdict(for: Self.request(fetchSite: "none")) == .serve, "typed by the user")
    }

    @Test func readsAcrossOriginsAreServedAndTheBrowserKeepsTheAnswer() {
        for method in ["GET", "HEAD", "OPTIONS"] {
            #expect(Self.local.verdict(for: Self.request(method, origin: "https://evil.example", fetchSite: "cross-site")) == .serve)
        }
    }

    @Test func aListedOriginMayWriteAndReadItsAnswers() {
        let allowed = Self.request(origin: "https://app.example.com", fetchSite: "cross-site")
        #expect(Self.local.verdict(for: allowed) == .serveAcrossOrigins(allowOrigin: "https://app.example.com"))
        var read = allowed
        read.method = "GET"
        #expect(Self.local.verdict(for: read) == .serveAcrossOrigins(allowOrigin: "https://app.example.com"))
        let preflight = Self.request("OPTIONS", origin: "https://APP.example.com", fetchSite: "cross-site", preflightMethod: "POST")
        #expect(Self.local.verdict(for: preflight) == .answerPreflight(allowOrigin: "https://APP.example.com"), "origins compare without case")
        #expect(Self.isRefused(Self.local.verdict(for: Self.request(origin: "https://app.example.com.evil.example", fetchSite: "cross-site"))))
        #expect(Self.isRefused(Self.local.verdict(for: Self.request(origin: "http://app.example.com", fetchSite: "cross-site"))), "another scheme")
    }

    @Test func anyOriginWithAStar() {
        let open = BrowserPolicy(allowedOrigins: ["*"], checksHost: false, allowedHosts: [])
        #expect(open.verdict(for: Self.request(origin: "https://evil.example", fetchSite: "cross-site")) == .serveAcrossOrigins(allowOrigin: "*"))
        #expect(open.verdict(for: Self.request(origin: "null")) == .serveAcrossOrigins(allowOrigin: "*"))
    }

    @Test func healthAndHooksAreOpenToEveryone() {
        for path: Substring in ["/health", "/hooks/github", "/hooks/a/b"] {
            let request = Self.request(path: path, host: "tunnel.example", origin: "https://evil.example", fetchSite: "cross-site")
            #expect(Self.local.verdict(for: request) == .serve, "\(path)")
        }
        #expect(Self.isRefused(Self.local.verdict(for: Self.request(path: "/hooksx", host: "tunnel.example"))))
    }

    @Test func aListedOriginReadsTheOpenRoutesAnswersToo() {
        let app = "https://app.example.com"
        #expect(Self.local.verdict(for: Self.request(path: "/hooks/inbox", origin: app, fetchSite: "cross-site")) == .serveAcrossOrigins(allowOrigin: app))
        #expect(Self.local.verdict(for: Self.request("GET", path: "/health", origin: app, fetchSite: "cross-site")) == .serveAcrossOrigins(allowOrigin: app))
        let preflight = Self.request("OPTIONS", path: "/hooks/inbox", origin: app, fetchSite: "cross-site", preflightMethod: "POST")
        #expect(Self.local.verdict(for: preflight) == .answerPreflight(allowOrigin: app))
    }

    @Test func defaultPortsAreTheSameOrigin() {
        let policy = BrowserPolicy(allowedOrigins: ["http://b.example:80", "https://c.example"], checksHost: false, allowedHosts: [])
        #expect(policy.verdict(for: Self.request(origin: "http://b.example", fetchSite: "cross-site")) == .serveAcrossOrigins(allowOrigin: "http://b.example"))
        #expect(policy.verdict(for: Self.request(origin: "https://c.example:443", fetchSite: "cross-site")) == .serveAcrossOrigins(allowOrigin: "https://c.example:443"))
        #expect(Self.isRefused(policy.verdict(for: Self.request(origin: "http://b.example:8080", fetchSite: "cross-site"))))
    }

    @Test(arguments: [
        "127.0.0.1:4437", "127.0.0.1", "10.1.2.3:80", "[::1]:4437", "[::1]", "localhost", "LocalHost:4437", "app.localhost:4437",
        "localhost.:4437", "spool.internal:8080", "SPOOL.internal", "[fe80::1%25eth0]:4437",
    ])
    func theNamesALoopbackServerAnswersTo(host: String) {
        #expect(Self.local.verdict(for: Self.request("GET", host: host)) == .serve)
    }

    @Test(arguments: [
        "evil.example:4437", "127.0.0.1.nip.io:4437", "localhost.evil.example", "1.2.3:4437", "1.2.3.4.5", "256.0.0.1", "spool.internal.evil.example",
        // Ill-formed: no browser sends them, and none is taken for a name it contains.
        "[evil.example]", "[::1]evil.example", "localhost:80@evil.example", "evil.example/.localhost", "evil.example#.localhost", "localhost:abc", "",
    ])
    func otherNamesAreRefused(host: String) {
        for method in ["GET", "POST"] {
            guard case .refuse(let message) = Self.local.verdict(for: Self.request(method, host: host)) else {
                Issue.record("\(method) to \(host) was served")
                continue
            }
            #expect(message.contains("DNS rebinding") && message.contains("--allowed-host"))
            #expect(message.contains("'\(BrowserPolicy.hostName(of: host))'"))
        }
    }

    @Test func namesAreNotCheckedWhenTheServerIsNotLoopbackWithoutAToken() {
        let checked = BrowserPolicy(allowedOrigins: [], checksHost: false, allowedHosts: [])
        #expect(checked.verdict(for: Self.request("GET", host: "spool.example.com")) == .serve)
        let anyName = BrowserPolicy(allowedOrigins: [], checksHost: true, allowedHosts: ["*"])
        #expect(anyName.verdict(for: Self.request("GET", host: "spool.example.com")) == .serve)
    }

    @Test func theSettingsAreChecked() {
        for origin in ["*", "https://app.example.com", "http://localhost:3000", "https://app.example.com/", "chrome-extension://abcdef"] {
            #expect(BrowserPolicy.problem(withOrigin: origin) == nil, "\(origin)")
        }
        for origin in ["app.example.com", "https://app.example.com/path", "https://", "https://a b", "1http://x", "https://user@x", "", "https://*.example.com"] {
            #expect(BrowserPolicy.problem(withOrigin: origin)?.contains("is not an origin") == true, "\(origin)")
        }
        for host in ["*", "spool.internal", "my-proxy"] { #expect(BrowserPolicy.problem(withHost: host) == nil, "\(host)") }
        for host in ["", "spool.internal:8080", "https://spool.internal", "a b", "*.example.com", "[::1]"] {
            #expect(BrowserPolicy.problem(withHost: host)?.contains("is not a host name") == true, "\(host)")
        }
    }
}
