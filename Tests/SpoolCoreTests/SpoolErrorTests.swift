import SpoolCore
import Testing

/// Errors as the HTTP API sends them.
@Suite(.timeLimit(.minutes(3))) struct SpoolErrorTests {
    @Test func jsonBodyCarriesCodeMessageAndDetails() throws {
        let error = SpoolError(.offsetConflict, "expected head offset 3 but the stream is at 5", details: ["headOffset": 5])
        #expect(
            error.jsonBody.jsonString
                == #"{"error":{"code":"offset_conflict","message":"expected head offset 3 but the stream is at 5","headOffset":5}}"#)
    }

    @Test func jsonBodyRoundTrips() throws {
        let original = SpoolError(
            .idempotencyConflict, "key reused", details: ["idempotencyKey": "k-1", "nested": ["a": [1, 2]]])
        let parsed = try JSONValue.parse(original.jsonBody.jsonString)
        let decoded = try #require(SpoolError(jsonBody: parsed))
        #expect(decoded.code == .idempotencyConflict)
        #expect(decoded.message == "key reused")
        #expect(decoded.details == ["idempotencyKey": "k-1", "nested": ["a": [1, 2]]])
        #expect(decoded.details.keys == ["idempotencyKey", "nested"])
        #expect(decoded.cause == nil)
    }

    @Test func unknownCodesSurviveARoundTrip() throws {
        let body: JSONValue = ["error": ["code": "teapot", "message": "short and stout"]]
        let decoded = try #require(SpoolError(jsonBody: body))
        #expect(decoded.code.rawValue == "teapot")
        #expect(decoded.code.httpStatus == 500)
        #expect(decoded.details.isEmpty)
    }

    @Test func missingMessageFallsBackToTheCode() throws {
        let decoded = try #require(SpoolError(jsonBody: ["error": ["code": "unauthorized"]]))
        #expect(decoded.code == .unauthorized)
        #expect(decoded.message == "unauthorized")
    }

    @Test(arguments: [
        #"{}"#, #"{"error":"boom"}"#, #"{"error":{}}"#, #"{"error":{"message":"no code"}}"#, #"{"error":{"code":5}}"#,
        #"[]"#, #""error""#,
    ])
    func bodiesThatAreNotErrorsAreRejected(json: String) throws {
        #expect(SpoolError(jsonBody: try JSONValue.parse(json)) == nil)
    }

    @Test func codesMapToTheContractsHTTPStatuses() {
        let expected: [(SpoolError.Code, Int, String)] = [
            (.invalidRequest, 400, "invalid_request"), (.invalidEvent, 400, "invalid_event"),
            (.invalidPath, 400, "invalid_path"), (.unauthorized, 401, "unauthorized"), (.forbidden, 403, "forbidden"),
            (.streamNotFound, 404, "stream_not_found"), (.offsetConflict, 409, "offset_conflict"),
            (.idempotencyConflict, 409, "idempotency_conflict"), (.payloadTooLarge, 413, "payload_too_large"),
            (.streamPaused, 423, "stream_paused"), (.internalError, 500, "internal"),
        ]
        for (code, status, text) in expected {
            #expect(code.httpStatus == status, "\(code)")
            #expect(code.rawValue == text)
        }
    }

    @Test func descriptionShowsCodeAndMessage() {
        #expect(SpoolError(.streamPaused, "paused by circuit breaker").description == "stream_paused: paused by circuit breaker")
    }
}
