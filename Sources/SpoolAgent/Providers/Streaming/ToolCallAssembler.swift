/// Tool calls whose id, name and argument text arrive in fragments across
/// many stream events, assembled in the order the model started them.
struct ToolCallAssembler: Sendable {
    private struct Partial: Sendable {
        var id: String
        var name: String
        var arguments: String
        var announced: Bool
    }

    private var calls: [Partial] = []

    var isEmpty: Bool { calls.isEmpty }

    /// Starts call number `slot`, or adds to it, returning `.toolCallStarted`
    /// the first time both its id and name are known.
    ///
    /// A fragment adds what it carries: an id or name sets them when still
    /// unknown, `arguments` is appended.
    mutating func apply(slot: Int, id: String?, name: String?, arguments: String?) -> LLMStreamEvent? {
        guard slot >= 0 else { return nil }
        while calls.count <= slot { calls.append(Partial(id: "", name: "", arguments: "", announced: false)) }
        if let id, !id.isEmpty, calls[slot].id.isEmpty { calls[slot].id = id }
        if let name, !name.isEmpty, calls[slot].name.isEmpty { calls[slot].name = name }
        if let arguments { calls[slot].arguments += arguments }
        guard !calls[slot].announced, !calls[slot].name.isEmpty else { return nil }
        // Some compatible servers omit ids; the call still needs one to be answered.
        if calls[slot].id.isEmpty { calls[slot].id = "call_\(slot)" }
        calls[slot].announced = true
        return .toolCallStarted(id: calls[slot].id, name: calls[slot].name)
    }

    /// Replaces the arguments of call `slot` with their final text.
    mutating func setArguments(slot: Int, _ arguments: String) {
        guard calls.indices.contains(slot) else { return }
        calls[slot].arguments = arguments
    }

    /// The slot of the call with `id`, if any.
    func slot(ofID id: String) -> Int? {
        calls.firstIndex { $0.id == id }
    }

    var count: Int { calls.count }

    /// The finished calls; fragments that never got a name are dropped.
    var toolCalls: [ToolCall] {
        calls.filter { !$0.name.isEmpty }.map {
            ToolCall(id: $0.id, name: $0.name, arguments: ToolCall.parseArguments($0.arguments))
        }
    }
}
