/// An event of a streamed answer, or word that `interval` passed since the last word.
enum PacedLLMEvent: Sendable {
    case event(LLMStreamEvent)
    /// Another `interval` passed, with or without events meanwhile.
    case tick
}

extension LLMStream {
    /// The stream's events, with a `.tick` every `interval` in between, so a reader can act on
    /// time passing while the provider sends nothing (show text it holds back, say).
    ///
    /// The events are read ahead of the reader in a task of their own, which ends with the
    /// stream, when the reader stops iterating, or when the reading task is cancelled, and
    /// that ends the HTTP request.
    func ticking(every interval: Duration) -> AsyncThrowingStream<PacedLLMEvent, any Error> {
        AsyncThrowingStream { continuation in
            let reader = Task {
                do {
                    for try await event in self { continuation.yield(.event(event)) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            let ticker = Task {
                while (try? await Task.sleep(for: interval)) != nil { continuation.yield(.tick) }
            }
            continuation.onTermination = { _ in
                reader.cancel()
                ticker.cancel()
            }
        }
    }
}
