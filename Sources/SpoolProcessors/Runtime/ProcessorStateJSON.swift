import Foundation
import SpoolCore

/// A processor's state as `GET /state` and `spool state` show it.
enum ProcessorStateJSON {
    /// The state as JSON with the keys of every object sorted, so the same state reads the same
    /// every time and answers can be diffed (an encoder's keyed containers and Swift's
    /// dictionaries keep no stable order of their own).
    static func value(of state: some Encodable) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try JSONValue.parse(encoder.encode(state))
    }
}
