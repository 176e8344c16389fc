internal import CJavaScriptCore
import Synchronization

/// Measures the memory a sandbox's JavaScript holds, and decides when it is worth looking.
///
/// JavaScriptCore has no heap limit per context, and no cheap way to read a heap's size:
/// `JSGetMemoryUsageStatistics` walks every live cell (about 1 ms for a fresh sandbox, 25 ms
/// for a million small objects). So the meter looks when something may have changed: after a
/// garbage collection (a heap finalizer raises `collected`) once 10 ms of JavaScript ran since the
/// last look (or five times what it cost), and otherwise after `period` of time running
/// JavaScript: ten times what the last look cost (at least 50 ms), so that looking takes at most a
/// tenth of the time, or less when the heap grew at a pace that would reach the limit sooner.
/// A sandbox that neither allocates much nor runs long is never measured.
///
/// What counts is `heapSize`: the bytes live at the last collection, array buffers and large
/// strings included. It only changes when the heap is collected, and JavaScriptCore may let the
/// heap grow several times over before it collects; `heapCapacity` (the blocks the heap holds,
/// garbage included) grows as it allocates. When the capacity is over the limit but the live size
/// is not, the meter collects the heap itself, to know what is live.
final class JSMemoryMeter {
    /// Bytes the heap may hold.
    let limit: Int
    /// Raised at the end of each collection (by the heap finalizer, on the thread that collects).
    let collected = Atomic<Bool>(false)
    /// Time spent running JavaScript since the last measurement, but for the call under way (its
    /// own `running` time is added by the caller); negative after a measurement during a call.
    private var unmeasured: Duration = .zero
    /// How much time running JavaScript may go by without a measurement.
    private var period: Duration = .milliseconds(50)
    /// The same after a collection: shorter, since the live size changed, but never so short that
    /// measuring takes more than a fifth of the time (a churning reducer collects every few ms).
    private var afterCollection: Duration = .milliseconds(10)
    /// `heapCapacity` at the last measurement.
    private var lastCapacity = 0
    /// Above this capacity the meter collects the heap before it compares its size: the limit,
    /// or more when the capacity stayed over it after a collection (so it does not collect at every look).
    private var collectAbove: Int

    init(limit: Int) {
        self.limit = limit
        collectAbove = limit
    }

    /// Counts the time of a call that ended (`running` is its time up to now).
    func add(_ running: Duration) {
        unmeasured += running
    }

    /// The bytes the heap holds when a measurement is due and they are over the limit; `nil` otherwise.
    /// - Parameter running: how long the call under way has been running (zero between calls).
    func excess(js: SpoolJavaScriptCore, context: JSContextRef, running: Duration) -> Int? {
        let due = collected.load(ordering: .relaxed) ? afterCollection : period
        guard unmeasured + running >= due else { return nil }
        let started = ContinuousClock.now
        collected.store(false, ordering: .relaxed)  // before measuring: a collection meanwhile counts again
        var heap = statistics(js: js, context: context)
        if heap.size <= limit && heap.capacity > collectAbove {
            js.JSSynchronousGarbageCollectForDebugging(context)
            collected.store(false, ordering: .relaxed)
            heap = statistics(js: js, context: context)
            collectAbove = max(limit, heap.capacity + heap.capacity / 4)
        } else if heap.capacity <= limit {
            collectAbove = limit
        }
        let cost = .now - started
        afterCollection = max(.milliseconds(10), cost * 5)
        period = Self.period(cost: cost, since: unmeasured + running, grown: heap.capacity - lastCapacity, room: collectAbove - heap.capacity)
        unmeasured = .zero - running - cost
        lastCapacity = heap.capacity
        return heap.size > limit ? heap.size : nil
    }

    /// How long JavaScript may run until the next measurement, after one that cost `cost` and found
    /// the heap's capacity `grown` bytes larger than the one `elapsed` before, with `room` bytes left
    /// below the limit: ten times the cost (at least 50 ms), or half the time the heap would take to
    /// fill the room at that pace (at least 10 ms).
    static func period(cost: Duration, since elapsed: Duration, grown: Int, room: Int) -> Duration {
        let paced = max(.milliseconds(50), cost * 10)
        guard grown > 0, elapsed > .zero else { return paced }
        let filling = elapsed * (Double(max(room, 0)) / Double(grown) / 2)
        return max(.milliseconds(10), min(paced, filling))
    }

    /// `heapSize` and `heapCapacity` of the context's heap, in bytes.
    private func statistics(js: SpoolJavaScriptCore, context: JSContextRef) -> (size: Int, capacity: Int) {
        guard let statistics = js.JSGetMemoryUsageStatistics(context) else { return (0, 0) }
        func bytes(_ name: String) -> Int {
            let key = js.JSStringCreateWithUTF8CString(name)
            defer { js.JSStringRelease(key) }
            guard let value = js.JSObjectGetProperty(context, statistics, key, nil) else { return 0 }
            let number = js.JSValueToNumber(context, value, nil)
            return number.isFinite && number > 0 ? Int(number) : 0
        }
        return (bytes("heapSize"), bytes("heapCapacity"))
    }

    /// The error of a sandbox found holding `bytes`: "used 80.5 MiB of memory, over its limit of 64 MiB".
    func failure(bytes: Int) -> JSError {
        JSError(.memoryLimit, "used \(Self.text(bytes: bytes)) of memory, over its limit of \(Self.text(bytes: limit))")
    }

    /// `bytes` in the largest binary unit it reaches, with one decimal when it is not whole: "1.1 GiB", "64 MiB".
    static func text(bytes: Int) -> String {
        let units = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        guard let (size, name) = units.first(where: { bytes >= $0.0 }) else { return "\(bytes) bytes" }
        let tenths = (bytes * 10 + size / 2) / size
        return tenths % 10 == 0 ? "\(tenths / 10) \(name)" : "\(tenths / 10).\(tenths % 10) \(name)"
    }
}

/// The heap finalizer: JavaScriptCore calls it at the end of each collection of the group's heap.
func heapCollected(_ group: JSContextGroupRef?, _ meter: UnsafeMutableRawPointer?) {
    guard let meter else { return }
    Unmanaged<JSMemoryMeter>.fromOpaque(meter).takeUnretainedValue().collected.store(true, ordering: .relaxed)
}
