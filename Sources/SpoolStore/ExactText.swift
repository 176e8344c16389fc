/// Text compared and hashed by its UTF-8 bytes, as SQLite and PostgreSQL compare it.
///
/// Swift's `String ==` treats canonically equivalent spellings (`é` as one scalar or as
/// `e` and a combining accent) as equal; the databases do not. Idempotency keys held in
/// memory use this, so a key replays or stores the same way whether its original is in
/// the same group commit or already in the database.
public struct ExactText: Hashable, Sendable {
    public let text: String

    public init(_ text: String) { self.text = text }

    public static func == (lhs: ExactText, rhs: ExactText) -> Bool {
        lhs.text.utf8.elementsEqual(rhs.text.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
