import Crypto
import SpoolCore

/// Signs webhook bodies: `Spool-Signature: sha256=<hex HMAC-SHA256 of the body>`.
///
/// A receiver verifies by computing the HMAC of the exact bytes it received
/// with the shared secret and comparing (in constant time) to the header.
public enum WebhookSigner {
    /// The header carrying the signature.
    public static let headerName = "Spool-Signature"

    /// `sha256=` followed by the lowercase hex HMAC-SHA256 of `body` keyed with `secret`.
    public static func signature(body: some Sequence<UInt8>, secret: String) -> String {
        let key = SymmetricKey(data: Array(secret.utf8))
        let code = HMAC<SHA256>.authenticationCode(for: Array(body), using: key)
        return "sha256=" + hex(code)
    }

    /// Whether `signature` is the signature of `body` with `secret`, compared in constant time.
    public static func isValid(signature: String, body: some Sequence<UInt8>, secret: String) -> Bool {
        let expected = Array(self.signature(body: body, secret: secret).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for index in expected.indices { difference |= expected[index] ^ given[index] }
        return difference == 0
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
