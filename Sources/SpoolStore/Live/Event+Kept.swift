import SpoolCore

extension Array where Element == Event {
    /// The events `accepts` takes, in order. By index: `filter` and `for in` copy every event,
    /// a retain and a release of each of its fields, and a live read asks about every event.
    func kept(by accepts: (Event) -> Bool) -> [Event] {
        var kept: [Event] = []
        for index in indices where accepts(self[index]) { kept.append(self[index]) }
        return kept
    }
}
