import SpoolCore
import SpoolStore
import Testing

/// The behaviour every `EventStore` backend must show, written once and run by
/// each backend's tests (SQLite now, PostgreSQL later) on fresh storage.
///
/// Each check opens the stores it needs with `open`, so a backend only says how
/// to open and close a store on the storage of one test.
struct StoreConformance: Sendable {
    /// Opens a store on this test's storage that announces commits to `live`.
    /// Every call opens the same storage, which starts out empty.
    let open: @Sendable (_ live: LiveHub) async throws -> any EventStore
    /// Closes a store returned by `open`: ends its live reads and releases its storage.
    let close: @Sendable (any EventStore) async throws -> Void

    /// A store whose live readers may fall `mailboxCapacity` events behind before catching up.
    func makeStore(mailboxCapacity: Int = LiveHub.defaultMailboxCapacity) async throws -> any EventStore {
        try await open(LiveHub(mailboxCapacity: mailboxCapacity))
    }
}

/// An input whose payload numbers it: `{"n": n}` plus any `extra` members.
func note(_ n: Int, key: String? = nil, expectedOffset: Int? = nil, extra: JSONObject = [:]) throws -> AppendInput {
    var payload: JSONObject = ["n": .int(Int64(n))]
    for member in extra.members { payload[member.key] = member.value }
    return try AppendInput(type: "test/note", payload: .object(payload), idempotencyKey: key, expectedOffset: expectedOffset)
}

/// Inputs numbered `range`.
func notes(_ range: ClosedRange<Int>, extra: JSONObject = [:]) throws -> [AppendInput] {
    try range.map { try note($0, extra: extra) }
}

/// The number a `note` put in an event's payload.
func number(of event: Event) -> Int? {
    event.payload["n"]?.intValue.map(Int.init)
}

/// Records one issue describing where `actual` first departs from `expected`,
/// instead of printing two long arrays.
func expectSequence(
    _ actual: [Int], equals expected: [Int], _ what: String = "keys", sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual != expected else { return }
    let index = (0..<min(actual.count, expected.count)).first { actual[$0] != expected[$0] } ?? min(actual.count, expected.count)
    Issue.record(
        """
        expected \(expected.count) \(what), got \(actual.count); first difference at index \(index): \
        got \(Array(actual[index...].prefix(6))), expected \(Array(expected[index...].prefix(6)))
        """, sourceLocation: sourceLocation)
}

/// Records an issue unless `values` strictly increase.
func expectStrictlyIncreasing(
    _ values: [Int], _ what: String = "values", sourceLocation: SourceLocation = #_sourceLocation
) {
    if let index = values.indices.dropFirst().first(where: { values[$0] <= values[$0 - 1] }) {
        Issue.record(
            "\(what) do not strictly increase at index \(index): \(values[index - 1]) then \(values[index])",
            sourceLocation: sourceLocation)
    }
}

/// The `SpoolError` that `body` throws, recording an issue if it throws something else or nothing.
func spoolError<T>(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async -> SpoolError? {
    do {
        _ = try await body()
        Issue.record("expected a SpoolError, but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as SpoolError {
        return error
    } catch {
        Issue.record("expected a SpoolError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
