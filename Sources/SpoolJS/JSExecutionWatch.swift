internal import CJavaScriptCore
import SpoolCore

/// Watches a call from JavaScriptCore's execution time limit: it calls back every `checkInterval`
/// of CPU time, and the call is stopped once it used its whole CPU time limit or the heap is over
/// the memory limit. JavaScriptCore calls back once per time limit it is given (returning false
/// does not start another period), so each check that lets the call go on sets the next period.
final class ExecutionWatch {
    enum Stop {
        case timeout
        case memory(bytes: Int)
    }

    /// How often a long call is looked at.
    static let checkInterval: Duration = .milliseconds(10)

    private let js: SpoolJavaScriptCore
    private let group: JSContextGroupRef
    private let meter: JSMemoryMeter
    private var started = ContinuousClock.now
    private var limit: Duration = .zero
    /// The CPU time JavaScriptCore was told to allow so far: when it calls back, the call used at
    /// least this much (its watchdog reads the thread's CPU clock; reading it here at every call
    /// would cost more than the rest of the watch).
    private var granted: Duration = .zero
    /// Why the call under way was stopped, if it was.
    private(set) var stopped: Stop?

    init(js: SpoolJavaScriptCore, group: JSContextGroupRef, meter: JSMemoryMeter) {
        self.js = js
        self.group = group
        self.meter = meter
    }

    /// How long the call under way has been running.
    var running: Duration { .now - started }

    /// Starts watching a call that may use `limit` of CPU time.
    func start(limit: Duration) {
        self.limit = limit
        granted = .zero
        stopped = nil
        started = .now
        armNextPeriod()
    }

    /// Called back by JavaScriptCore during the call; true stops it.
    func shouldStop(_ context: JSContextRef?) -> Bool {
        if granted >= limit {
            stopped = .timeout
            return true
        }
        if let context, let bytes = meter.excess(js: js, context: context, running: running) {
            stopped = .memory(bytes: bytes)
            return true
        }
        armNextPeriod()
        return false
    }

    private func armNextPeriod() {
        let period = min(limit - granted, Self.checkInterval)
        granted += period
        let seconds = Double(period.components.seconds) + Double(period.components.attoseconds) / 1e18
        js.JSContextGroupSetExecutionTimeLimit(group, seconds, executionCheck, Unmanaged.passUnretained(self).toOpaque())
    }
}

/// JavaScriptCore's `JSShouldTerminateCallback`, with the `ExecutionWatch` as its context.
private func executionCheck(_ context: JSContextRef?, _ watch: UnsafeMutableRawPointer?) -> Bool {
    guard let watch else { return true }
    return Unmanaged<ExecutionWatch>.fromOpaque(watch).takeUnretainedValue().shouldStop(context)
}
