import SpoolProcessors
import Testing

/// HMAC-SHA256 webhook signatures, checked against RFC 4231.
@Suite(.timeLimit(.minutes(3))) struct WebhookSignerTests {
    @Test func matchesTheRFC4231TestVector() {
        // RFC 4231, test case 2.
        let signature = WebhookSigner.signature(body: Array("what do ya want for nothing?".utf8), secret: "Jefe")
        #expect(signature == "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func verifiesOnlyTheExactBodyAndSecret() {
        let body = Array(#"{"type":"demo/ping"}"#.utf8)
        let signature = WebhookSigner.signature(body: body, secret: "s3cret")
        #expect(WebhookSigner.isValid(signature: signature, body: body, secret: "s3cret"))
        #expect(!WebhookSigner.isValid(signature: signature, body: body + [0x20], secret: "s3cret"))
        #expect(!WebhookSigner.isValid(signature: signature, body: body, secret: "other"))
        #expect(!WebhookSigner.isValid(signature: "sha256=00", body: body, secret: "s3cret"))
    }
}
