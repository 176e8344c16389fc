import NIOHTTP1
import SpoolCore

extension WorkerProcessor {
    /// `fetch(url, {method, headers, body})`, made by the server to the worker's `allowHosts`;
    /// resolves to `{status, headers, body}` with a text body.
    func fetch(_ arguments: JSONValue) async throws -> JSONValue {
        let object = arguments.objectValue
        guard let url = object?["url"]?.stringValue else { throw SpoolError(.invalidRequest, "fetch needs an http(s) URL") }
        let options = object?["init"]?.objectValue
        var headers = HTTPHeaders()
        for (name, value) in options?["headers"]?.objectValue?.members ?? [] {
            headers.add(name: name, value: value.stringValue ?? value.jsonString)
        }
        let request = AllowListedFetch.Request(
            url: url, method: HTTPMethod(rawValue: (options?["method"]?.stringValue ?? "GET").uppercased()), headers: headers,
            body: options?["body"].map { $0.stringValue ?? $0.jsonString })
        let fetcher = AllowListedFetch(
            allowedHosts: spec.allowHosts, allowListName: "allowHosts", timeout: limits.fetchTimeout, maximumBodyBytes: limits.maximumFetchBodyBytes)
        let response: AllowListedFetch.Response
        do {
            response = try await fetcher.perform(request)
        } catch let refused as AllowListedFetch.Refused {
            let hint = spec.allowHosts.isEmpty ? "; add allowHosts to the worker's configuration" : ""
            throw SpoolError(.invalidRequest, "fetch refused: \(refused)\(hint)")
        }
        var responseHeaders = JSONObject()
        for header in response.headers { responseHeaders[header.name.lowercased()] = .string(header.value) }
        return ["status": .int(Int64(response.status.code)), "headers": .object(responseHeaders), "body": .string(response.body)]
    }
}
