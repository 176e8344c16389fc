import Foundation
import SpoolCore

/// A webhook subscription: POST matching events of the stream to `url`.
public struct Subscription: Codable, Sendable, Hashable {
    public var name: String
    /// An `http://` or `https://` URL.
    public var url: String
    /// Event types to deliver: exact types, `prefix/*` for every type under a
    /// prefix, or `*`; `nil` delivers every type.
    public var types: [String]?
    /// The environment variable holding the HMAC secret. The secret itself
    /// never goes into an event.
    public var secretEnv: String?

    public init(name: String, url: String, types: [String]? = nil, secretEnv: String? = nil) {
        self.name = name
        self.url = url
        self.types = types
        self.secretEnv = secretEnv
    }

    /// Reads a `spool/subscription-configured` payload.
    /// - Throws: `invalid_event` naming the field that is wrong.
    public init(payload: JSONValue) throws(SpoolError) {
        guard let name = payload["name"]?.stringValue, !name.isEmpty, name.utf8.count <= 200 else {
            throw SpoolError(.invalidEvent, "'name' must be a string of 1–200 bytes")
        }
        guard let url = payload["url"]?.stringValue, url.hasPrefix("http://") || url.hasPrefix("https://"),
            url.utf8.count <= 2048, URL(string: url)?.host?.isEmpty == false
        else {
            throw SpoolError(.invalidEvent, "'url' must be an http:// or https:// URL")
        }
        var types: [String]?
        if let value = payload["types"], value != .null {
            // One pattern may come as a string: "order/*" is ["order/*"].
            let items = value.stringValue.map { [JSONValue.string($0)] } ?? value.arrayValue
            guard let list = items?.compactMap(\.stringValue), list.count == items?.count,
                !list.isEmpty, list.allSatisfy(Self.isTypePattern)
            else {
                throw SpoolError(.invalidEvent, "'types' must be an event type or 'prefix/*' pattern, or a non-empty array of them")
            }
            types = list
        }
        var secretEnv: String?
        if let value = payload["secretEnv"], value != .null {
            guard let text = value.stringValue, !text.isEmpty else {
                throw SpoolError(.invalidEvent, "'secretEnv' must name an environment variable")
            }
            secretEnv = text
        }
        self.init(name: name, url: url, types: types, secretEnv: secretEnv)
    }

    /// `*`, an event type, or a prefix ending in `/*` (`order/*`): no other wildcard.
    static func isTypePattern(_ pattern: String) -> Bool {
        if pattern == "*" { return true }
        let body = pattern.hasSuffix("/*") ? String(pattern.dropLast(2)) : pattern
        return !body.contains("*") && (try? AppendInput.validate(type: body)) != nil
    }

    /// Whether events of `type` are delivered to this subscription.
    public func matches(type: String) -> Bool {
        guard let types else { return true }
        return types.contains { pattern in
            if pattern == "*" { return true }
            if pattern.hasSuffix("/*") { return type.hasPrefix(pattern.dropLast()) }
            return pattern == type
        }
    }
}

/// The subscriptions of one stream, by name.
public struct SubscriptionState: Codable, Sendable, Equatable {
    public static let configuredType = "spool/subscription-configured"
    public static let removedType = "spool/subscription-removed"
    /// Appended when every delivery attempt failed.
    public static let failedType = "spool/subscription-failed"

    public var subscriptions: [String: Subscription]

    public init(subscriptions: [String: Subscription] = [:]) {
        self.subscriptions = subscriptions
    }

    /// Applies `spool/subscription-configured` (add or replace by name; an
    /// invalid payload changes nothing) and `spool/subscription-removed {name}`.
    public mutating func apply(_ event: Event) {
        switch event.type {
        case Self.configuredType:
            guard let subscription = try? Subscription(payload: event.payload) else { return }
            subscriptions[subscription.name] = subscription
        case Self.removedType:
            guard let name = event.payload["name"]?.stringValue else { return }
            subscriptions[name] = nil
        default:
            return
        }
    }

    /// The subscriptions `event` goes to, by name. Never `spool/subscription-*`
    /// events: a failure report must not trigger another delivery.
    public func subscriptions(for event: Event) -> [Subscription] {
        guard !event.type.hasPrefix("spool/subscription-") else { return [] }
        return subscriptions.values.filter { $0.matches(type: event.type) }.sorted { $0.name < $1.name }
    }
}
