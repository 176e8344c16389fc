import ServiceLifecycle
import SpoolCore
import SpoolProcessors

/// Resuming turns that a restart or a dead node interrupted.
///
/// Only the node where the `agent` processor runs resumes, once per run of it:
/// at start on a single node, and at each takeover on a store shared by several
/// (a node that merely starts leaves the turns of the node running the agent
/// alone). A run first catches up with the store: it refolds what was handled
/// and reacts to what was not, which re-submits the jobs of those events. The
/// resume waits for that, then decides from each agent's state at its head —
/// not from snapshots taken before the run caught up — and it decides under the
/// stream's turn lock, where requests start too, so neither undoes the other:
/// - a request in flight that no job of this node streams (its stream died with
///   the process) is cancelled (`server restarted`) and sent again;
/// - a turn waiting for a request nobody started gets one;
/// - tool calls of the turn without a result run (completed ones never run again).
extension AgentRuntime {
    /// How often the runtime looks whether the `agent` processor started running here.
    static let residencyPollInterval = Duration.milliseconds(250)

    /// Resumes interrupted turns once per run of the `agent` processor on this node, until shutdown.
    func resumeInterruptedTurnsAtEachRun() async {
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    if let run = self.host.currentRun(of: self.processor.name), run != self.resumedRun.withLock({ $0 }),
                        await self.resumeInterruptedTurns(inRun: run)
                    {
                        self.resumedRun.withLock { $0 = run }
                    }
                    try await Task.sleep(for: Self.residencyPollInterval)
                }
            }
        } catch {
            // Only cancellation ends the loop: graceful shutdown.
        }
    }

    /// Resumes the turns interrupted before the processor's run `run` began, once the run has
    /// caught up with the store as it was then.
    /// - Returns: whether it did; otherwise (an error, or the run ended) the next pass tries again.
    private func resumeInterruptedTurns(inRun run: Int) async -> Bool {
        do {
            let head = try await store.headPosition()
            guard try await host.waitUntilHandled(processor.name, through: head, inRun: run) else { return false }
            // The saved snapshots now include every agent event through `head` but deltas (the agent
            // snapshots after each at once, `AgentProcessor.snapshotsImmediately`): a stream whose snapshot
            // shows no unfinished turn was left nothing to resume, and newer events are this run's own.
            // A snapshot may still be behind the stream's head, so the decision is the full fold's.
            var unfinished = 0
            for (stream, snapshot) in try await host.snapshotStates(of: processor) where snapshot.turnIsUnfinished {
                guard host.currentRun(of: processor.name) == run else { return false }
                try await resumeTurn(of: stream)
                unfinished += 1
            }
            logger.debug(
                "agent runs here; interrupted turns resumed",
                metadata: ["spool.run": "\(run)", "spool.position": "\(head)", "spool.streams": "\(unfinished)"])
            return true
        } catch is CancellationError {
            return false
        } catch {
            logger.error("could not resume agent turns; trying again", metadata: ["spool.error": "\(error)"])
            return false
        }
    }

    /// Resumes the stream's turn from its state at its head, if it is unfinished.
    func resumeTurn(of stream: StreamPath) async throws {
        try await turnLock.withLock(stream) {
            let state = try await currentState(stream)
            if let active = state.activeRequestId {
                // A request started here is streamed here until it ends; any other died with its node.
                if !queue.isStreaming(stream, requestId: active) {
                    try await append(
                        AgentEvents.requestCancelled, ["requestId": .string(active), "reason": "server restarted"], to: stream,
                        key: "agent:\(active):restart-cancelled")
                    // From the state when it starts, which includes the cancellation and anything newer.
                    queue.submitRequest(stream, debounceMs: 0, state: nil)
                }
            } else if state.awaitsRequest {
                queue.submitRequest(stream, debounceMs: 0, state: nil)
            }
            for callId in state.runnableOpenToolCalls {
                queue.submitTool(stream, callId: callId)  // a call already running here is not run twice
            }
        }
    }
}
