import SpoolJS

extension WorkerSpec {
    /// Why this worker would not start on a server (a syntax error, a throwing top level, no
    /// `reduce`, an `initialState` over the limit), found by loading its source here as a server
    /// does; `nil` when it starts, or when this machine has no JavaScriptCore to tell.
    ///
    /// A client checks before it appends: a configuration that cannot start still replaces the
    /// running version of the worker, since what runs is what the stream says.
    public func loadFailure(limits: WorkerLimits = WorkerLimits()) async -> String? {
        do {
            _ = try await WorkerProcessor.loadScript(source, into: JSSandboxQueue(label: "check:\(name)", memoryLimit: limits.maximumMemoryBytes), limits: limits)
            return nil
        } catch let error as JSError where error.kind == .unsupported {
            return nil
        } catch {
            return "\(error)"
        }
    }
}
