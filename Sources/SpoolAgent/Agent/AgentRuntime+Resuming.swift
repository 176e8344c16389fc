import ServiceLifecycle
import SpoolCore
import SpoolProcessors

extension AgentRuntime {
    /// How often the runtime looks whether the `agent` processor started running here.
    static let residencyPollInterval = Duration.milliseconds(250)

    /// Resumes interrupted turns once per run of the `agent` processor on this node.
    ///
    /// On a store shared by several nodes only the node holding the processor's lease
    /// may resume: a node that merely starts must not cancel a turn another node is
    /// streaming. A takeover is a new run, so the node taking over resumes what the
    /// dead node left. With one node this is once, at start.
    func resumeInterruptedTurnsAtEachRun() async {
        do {
            try await cancelWhenGracefulShutdown {
                var resumedRun: Int?
                while !Task.isCancelled {
                    if let run = self.host.currentRun(of: self.processor.name), run != resumedRun,
                        await self.resumeInterruptedTurns(forRun: run)
                    {
                        resumedRun = run
                    }
                    try await Task.sleep(for: Self.residencyPollInterval)
                }
            }
        } catch {
            // Only cancellation ends the loop: graceful shutdown.
        }
    }

    /// Resumes the interrupted turns for the processor's run `run`; returns whether it did
    /// (otherwise the next pass tries again).
    private func resumeInterruptedTurns(forRun run: Int) async -> Bool {
        do {
            try await resumeInterruptedTurns()
            logger.debug("agent runs here; interrupted turns resumed", metadata: ["spool.run": "\(run)"])
            return true
        } catch is CancellationError {
            return false
        } catch {
            logger.error("could not resume agent turns; trying again", metadata: ["spool.error": "\(error)"])
            return false
        }
    }

    func resumeInterruptedTurns() async throws {
        for (stream, state) in try await host.snapshotStates(of: processor) {
            if let active = state.activeRequestId {
                queue.supersede(stream)
                try await append(
                    AgentEvents.requestCancelled, ["requestId": .string(active), "reason": "server restarted"], to: stream,
                    key: "agent:\(active):restart-cancelled")
                var resumed = state
                resumed.activeRequestId = nil
                queue.submitRequest(stream, debounceMs: 0, state: resumed)
            } else if state.hasUnansweredInput || (state.lastMessageIsToolResult && state.openToolCalls.isEmpty) {
                queue.submitRequest(stream, debounceMs: 0, state: state)
            }
            for callId in state.openToolCalls where [.notNeeded, .granted].contains(state.toolCalls[callId]?.approval) {
                queue.submitTool(stream, callId: callId)
            }
        }
    }
}
