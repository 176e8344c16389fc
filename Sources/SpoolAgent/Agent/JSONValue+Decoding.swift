import Foundation
import SpoolCore

extension JSONValue {
    /// Decodes a Codable value from this JSON.
    public static func decode<T: Decodable>(_ type: T.Type, from json: JSONValue) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.jsonString.utf8))
    }
}
