/// One file of the web console, ready to serve.
public struct ConsoleAsset: Sendable {
    /// The path below `/ui/`, such as `js/main.js`.
    public let path: String
    public let bytes: [UInt8]
    /// The `Content-Type` to serve it with, chosen by its extension.
    public let contentType: String
    /// A strong validator that changes whenever the bytes do (FNV-1a, 64 bits).
    public let etag: String

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        self.contentType = Self.contentType(forPath: path)
        self.etag = "\"" + Self.fingerprint(bytes) + "\""
    }

    static func contentType(forPath path: String) -> String {
        switch path.split(separator: ".").last ?? "" {
        case "html": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "json": "application/json"
        case "png": "image/png"
        case "ico": "image/x-icon"
        default: "application/octet-stream"
        }
    }

    static func fingerprint(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
