/// The one error type of Spool: a stable machine-readable `code` (the same
/// strings the HTTP API returns), a human message, and optional details.
public struct SpoolError: Error, Sendable, CustomStringConvertible {
    /// A stable error code. The HTTP status follows from it.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let invalidRequest = Code(rawValue: "invalid_request")
        public static let invalidEvent = Code(rawValue: "invalid_event")
        public static let invalidPath = Code(rawValue: "invalid_path")
        public static let unauthorized = Code(rawValue: "unauthorized")
        public static let forbidden = Code(rawValue: "forbidden")
        public static let notFound = Code(rawValue: "not_found")
        public static let streamNotFound = Code(rawValue: "stream_not_found")
        public static let methodNotAllowed = Code(rawValue: "method_not_allowed")
        public static let offsetConflict = Code(rawValue: "offset_conflict")
        public static let idempotencyConflict = Code(rawValue: "idempotency_conflict")
        public static let payloadTooLarge = Code(rawValue: "payload_too_large")
        public static let streamPaused = Code(rawValue: "stream_paused")
        public static let unavailable = Code(rawValue: "unavailable")
        public static let notImplemented = Code(rawValue: "not_implemented")
        public static let internalError = Code(rawValue: "internal")

        /// The HTTP status code that carries this error.
        public var httpStatus: Int {
            switch self {
            case .invalidRequest, .invalidEvent, .invalidPath: return 400
            case .unauthorized: return 401
            case .forbidden: return 403
            case .notFound, .streamNotFound: return 404
            case .methodNotAllowed: return 405
            case .offsetConflict, .idempotencyConflict: return 409
            case .payloadTooLarge: return 413
            case .streamPaused: return 423
            case .notImplemented: return 501
            case .unavailable: return 503
            default: return 500
            }
        }
    }

    public var code: Code
    public var message: String
    /// Extra members of the JSON error object, such as `headOffset`.
    public var details: JSONObject
    /// The underlying error, for logs only; never sent to clients.
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, details: JSONObject = [:], cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.details = details
        self.cause = cause
    }

    /// The JSON body the HTTP API sends: `{"error":{"code":…,"message":…,…details}}`.
    public var jsonBody: JSONValue {
        var error: JSONObject = ["code": .string(code.rawValue), "message": .string(message)]
        for member in details.members { error[member.key] = member.value }
        return .object(["error": .object(error)])
    }

    /// Reads an error from the HTTP API's JSON error body.
    public init?(jsonBody: JSONValue) {
        guard let error = jsonBody["error"]?.objectValue, let code = error["code"]?.stringValue else { return nil }
        var details = error
        details["code"] = nil
        details["message"] = nil
        self.init(Code(rawValue: code), error["message"]?.stringValue ?? code, details: details)
    }

    public var description: String { "\(code): \(message)" }
}
