/// The address of a stream, such as `/agents/ada/subtasks/1`.
///
/// A path is one or more `/`-separated segments of 1–128 characters from
/// `A-Z a-z 0-9 . _ ~ -` (but not `.` or `..`), at most 1024 characters in all.
/// Construction validates, so a `StreamPath` value is always well formed.
public struct StreamPath: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The canonical text, with one leading slash and no trailing slash.
    public let rawValue: String

    public static let maximumLength = 1024
    public static let maximumSegmentLength = 128

    /// Validates `text`; a leading slash is optional and a trailing slash is ignored.
    /// - Throws: `SpoolError` with code `invalid_path` naming the bad segment.
    public init(_ text: String) throws(SpoolError) {
        // Most paths arrive canonical (every request names one): checked in one pass and kept as they are.
        if Self.isCanonical(text) {
            rawValue = text
            return
        }
        var body = Substring(text)
        if body.hasPrefix("/") { body = body.dropFirst() }
        if body.hasSuffix("/") { body = body.dropLast() }
        guard !body.isEmpty else { throw SpoolError(.invalidPath, "stream path is empty") }
        guard body.utf8.count + 1 <= Self.maximumLength else {
            throw SpoolError(.invalidPath, "stream path is longer than \(Self.maximumLength) characters")
        }
        for segment in body.split(separator: "/", omittingEmptySubsequences: false) {
            try Self.validate(segment: segment)
        }
        rawValue = "/" + body
    }

    /// Whether `text` is a valid path already in canonical form (a leading slash and no trailing
    /// one): a single pass over its bytes, allocating nothing. Anything else, valid or not, takes
    /// the segment-by-segment path, which also words the error.
    private static func isCanonical(_ text: String) -> Bool {
        let bytes = text.utf8
        guard bytes.count <= maximumLength, bytes.first == UInt8(ascii: "/") else { return false }
        var segmentLength = 0
        var onlyDots = true
        for byte in bytes.dropFirst() {
            if byte == UInt8(ascii: "/") {
                guard isAllowedSegment(length: segmentLength, onlyDots: onlyDots) else { return false }
                segmentLength = 0
                onlyDots = true
            } else {
                guard isAllowed(byte) else { return false }
                segmentLength += 1
                if byte != UInt8(ascii: ".") { onlyDots = false }
            }
        }
        return isAllowedSegment(length: segmentLength, onlyDots: onlyDots)
    }

    /// Not empty, not too long, and not `.` or `..`.
    private static func isAllowedSegment(length: Int, onlyDots: Bool) -> Bool {
        length > 0 && length <= maximumSegmentLength && !(onlyDots && length <= 2)
    }

    private static func validate(segment: Substring) throws(SpoolError) {
        if segment.isEmpty { throw SpoolError(.invalidPath, "stream path has an empty segment") }
        if segment == "." || segment == ".." {
            throw SpoolError(.invalidPath, "stream path segment '\(segment)' is not allowed")
        }
        if segment.utf8.count > maximumSegmentLength {
            throw SpoolError(.invalidPath, "stream path segment '\(segment.prefix(32))…' is longer than \(maximumSegmentLength) characters")
        }
        for byte in segment.utf8 where !isAllowed(byte) {
            throw SpoolError(.invalidPath, "stream path segment '\(segment)' contains a character outside A-Z a-z 0-9 . _ ~ -")
        }
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// The segments, without slashes.
    public var segments: [Substring] { rawValue.dropFirst().split(separator: "/") }

    /// Whether this path is `prefix` itself or lies below it.
    /// `/agents/ada` has prefixes `/`, `/agents` and `/agents/ada`, but not `/age`.
    public func hasPrefix(_ prefix: StreamPrefix) -> Bool {
        prefix.matches(self)
    }

    /// The path of a child stream: `/agents/ada` + `"subtasks"` = `/agents/ada/subtasks`.
    public func appending(_ relative: String) throws(SpoolError) -> StreamPath {
        try StreamPath(rawValue + "/" + relative)
    }

    public var description: String { rawValue }

    public static func < (lhs: StreamPath, rhs: StreamPath) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A subtree of streams, used by listings and feeds: `/` is every stream,
/// `/agents` is `/agents` and everything below it.
public struct StreamPrefix: Sendable, Hashable, CustomStringConvertible {
    /// The canonical text: `/` or a valid stream path.
    public let rawValue: String

    public static let root = StreamPrefix(validated: "/")

    private init(validated: String) { rawValue = validated }

    /// Validates `text`; empty or `/` means every stream.
    public init(_ text: String) throws(SpoolError) {
        if text.isEmpty || text == "/" {
            rawValue = "/"
        } else {
            rawValue = try StreamPath(text).rawValue
        }
    }

    /// Whether `path` is this prefix or lies below it.
    public func matches(_ path: StreamPath) -> Bool {
        if rawValue == "/" { return true }
        let candidate = path.rawValue
        guard candidate.hasPrefix(rawValue) else { return false }
        return candidate.utf8.count == rawValue.utf8.count
            || candidate.utf8[candidate.utf8.index(candidate.utf8.startIndex, offsetBy: rawValue.utf8.count)] == UInt8(ascii: "/")
    }

    public var description: String { rawValue }
}
