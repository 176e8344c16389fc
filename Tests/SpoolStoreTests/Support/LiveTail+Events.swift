import SpoolCore
import SpoolStore
import Testing

extension LiveTail.Iterator {
    /// Reads deliveries until at least `count` events have arrived or the tail ends,
    /// ignoring idle wake-ups. Returns every event received, so extras show up.
    mutating func nextEvents(count: Int) async throws -> [Event] {
        var events: [Event] = []
        while events.count < count {
            guard let delivery = try await next() else { break }
            if case .events(let batch) = delivery {
                #expect(!batch.isEmpty, "a live tail delivered an empty batch")
                events += batch
            }
        }
        return events
    }
}
