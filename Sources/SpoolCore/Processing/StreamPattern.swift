/// Which streams a processor follows: an exact path (`/agents/ada`), one level
/// of children (`/x/*`), or a whole subtree (`/agents/**`, or `/**` for all).
public struct StreamPattern: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    enum Kind: Hashable, Sendable {
        case exact
        case children
        case subtree
    }

    let base: String
    let kind: Kind
    public let rawValue: String
    /// The smallest prefix covering every match: what to read from the feed. Made once,
    /// not per `matches` call (processors ask for every event they read).
    public let prefix: StreamPrefix

    /// Parses a pattern. - Throws: `invalid_request` for a malformed pattern.
    public init(_ text: String) throws(SpoolError) {
        rawValue = text
        if text == "**" || text == "/**" {
            base = "/"
            kind = .subtree
        } else if text.hasSuffix("/**") {
            base = try StreamPath(String(text.dropLast(3))).rawValue
            kind = .subtree
        } else if text.hasSuffix("/*") {
            base = try StreamPath(String(text.dropLast(2))).rawValue
            kind = .children
        } else {
            do {
                base = try StreamPath(text).rawValue
            } catch {
                throw SpoolError(.invalidRequest, "invalid stream pattern '\(text)': \(error.message)")
            }
            kind = .exact
        }
        // `base` is always "/" or a valid path, so this cannot fail.
        prefix = (try? StreamPrefix(base)) ?? .root
    }

    /// A pattern literal; a malformed literal is a programming error.
    public init(stringLiteral value: String) {
        do {
            try self.init(value)
        } catch {
            preconditionFailure("invalid stream pattern literal '\(value)': \(error)")
        }
    }

    /// Every stream.
    public static let all = StreamPattern(stringLiteral: "/**")

    /// Whether `path` is one of the streams this pattern names.
    /// `/agents/**` matches `/agents` itself and everything below it.
    public func matches(_ path: StreamPath) -> Bool {
        let text = path.rawValue
        switch kind {
        case .exact:
            return text == base
        case .subtree:
            return prefix.matches(path)
        case .children:
            guard text.hasPrefix(base + "/") else { return false }
            return !text.dropFirst(base.count + 1).contains("/")
        }
    }

    public var description: String { rawValue }
}
