import Foundation
import SpoolCore
import SpoolStore

/// Saving progress: snapshots queued as streams are handled, and the checkpoint,
/// written together every `flushInterval` and when the run ends.
extension ProcessorRunner {
    func queueSnapshot(of stream: StreamPath, _ entry: StreamEntry) {
        let pending = PendingSnapshot(offset: entry.offset, envelope: SnapshotEnvelope(paused: entry.paused, state: entry.state))
        progress.withLock { $0.pendingSnapshots[stream] = pending }
    }

    private func encoded(_ pending: [StreamPath: PendingSnapshot]) -> [StateSnapshot] {
        let encoder = JSONEncoder()
        return pending.compactMap { stream, snapshot in
            do {
                let data = try encoder.encode(snapshot.envelope)
                return StateSnapshot(stream: stream, offset: snapshot.offset, stateJSON: String(decoding: data, as: UTF8.self))
            } catch {
                logger.error("cannot encode state snapshot", metadata: ["spool.stream": "\(stream)", "spool.error": "\(error)"])
                return nil
            }
        }
    }

    /// Flushes every `flushInterval` until `stop` finishes. Each time it first wakes the feed's
    /// reader if it is idle, so a processor handed only the events it wants (the feed wakes it for
    /// nothing else) moves its checkpoint past the others: by the next flush, it is saved.
    func flushPeriodically(until stop: AsyncStream<Void>, waking tail: LiveTail) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in stop {}
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.configuration.flushInterval)
                    tail.wakeIfIdle()
                    do { try await self.flush() } catch is CancellationError {
                        return
                    } catch {
                        self.logger.error("cannot save processor progress", metadata: ["spool.error": "\(error)"])
                    }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Saves pending snapshots and the checkpoint, if either changed.
    func flush() async throws {
        let (pending, checkpoint) = progress.withLock { progress -> ([StreamPath: PendingSnapshot], Int?) in
            let pending = progress.pendingSnapshots
            progress.pendingSnapshots = [:]
            let safe = progress.tracker.safePosition
            return (pending, safe != progress.savedCheckpoint ? safe : nil)
        }
        guard !pending.isEmpty || checkpoint != nil else { return }
        do {
            try await store.saveProgress(processor: storageName, snapshots: encoded(pending), checkpoint: checkpoint)
        } catch {
            progress.withLock { progress in
                for (stream, snapshot) in pending where progress.pendingSnapshots[stream] == nil {
                    progress.pendingSnapshots[stream] = snapshot
                }
            }
            throw error
        }
        if let checkpoint { progress.withLock { $0.savedCheckpoint = checkpoint } }
    }
}
