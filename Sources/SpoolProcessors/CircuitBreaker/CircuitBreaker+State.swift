import SpoolCore

extension CircuitBreaker {
    /// A limit: at most `maxEvents` events within `windowSeconds`.
    public struct Configuration: Codable, Sendable, Hashable {
        /// 1–100 000.
        public var maxEvents: Int
        /// Greater than 0, at most a day.
        public var windowSeconds: Double

        public static let maximumEvents = 100_000
        public static let maximumWindowSeconds: Double = 86_400

        public init(maxEvents: Int, windowSeconds: Double) {
            self.maxEvents = maxEvents
            self.windowSeconds = windowSeconds
        }

        /// Reads `{maxEvents, windowSeconds}`.
        /// - Throws: `invalid_event` naming the field that is missing or out of range.
        public init(payload: JSONValue) throws(SpoolError) {
            guard let maxEvents = payload["maxEvents"]?.intValue, (1...Int64(Self.maximumEvents)).contains(maxEvents) else {
                throw SpoolError(.invalidEvent, "'maxEvents' must be an integer from 1 to \(Self.maximumEvents)")
            }
            guard let windowSeconds = payload["windowSeconds"]?.doubleValue, windowSeconds > 0,
                windowSeconds <= Self.maximumWindowSeconds
            else {
                throw SpoolError(.invalidEvent, "'windowSeconds' must be a number above 0 and at most \(Int(Self.maximumWindowSeconds))")
            }
            self.init(maxEvents: Int(maxEvents), windowSeconds: windowSeconds)
        }

        var windowMilliseconds: Int64 { max(1, Int64((windowSeconds * 1000).rounded())) }

        var windowSecondsJSON: JSONValue {
            windowSeconds.rounded() == windowSeconds ? .int(Int64(windowSeconds)) : .double(windowSeconds)
        }

        var windowSecondsText: String {
            windowSeconds.rounded() == windowSeconds ? String(Int64(windowSeconds)) : String(windowSeconds)
        }
    }

    /// The breaker's view of one stream.
    public struct State: Codable, Sendable, Equatable {
        public var configuration: Configuration
        /// Set by `spool/stream-paused`, cleared by `spool/stream-resumed`.
        public var isPaused: Bool
        /// `createdAt` (milliseconds since 1970) of the latest events, oldest
        /// first. Holds the last `maxEvents + 1` within the window, and at
        /// times as many older ones, which are dropped in bulk.
        public var recentEventTimes: [Int64]

        public init(configuration: Configuration, isPaused: Bool = false, recentEventTimes: [Int64] = []) {
            self.configuration = configuration
            self.isPaused = isPaused
            self.recentEventTimes = recentEventTimes
        }

        /// Whether more than `maxEvents` events fall within the window: the
        /// latest event and the one `maxEvents` before it are closer than it.
        public var isOverLimit: Bool {
            let count = recentEventTimes.count
            guard count > configuration.maxEvents, let last = recentEventTimes.last else { return false }
            return last - recentEventTimes[count - 1 - configuration.maxEvents] < configuration.windowMilliseconds
        }

        /// Adds an event time, forgetting times no longer needed to judge the
        /// limit. Forgetting shifts the array, so a long one (a high limit under
        /// load) sheds them in bulk, once they are half of it: each event costs
        /// O(log n), not a copy of the window.
        mutating func record(_ createdAt: Timestamp) {
            guard !isPaused else { return }
            let time = createdAt.millisecondsSinceEpoch
            recentEventTimes.append(time)
            let unneeded = max(recentEventTimes.count - (configuration.maxEvents + 1), firstIndexInWindow(endingAt: time))
            if unneeded > 0, recentEventTimes.count <= 64 || unneeded * 2 >= recentEventTimes.count {
                recentEventTimes.removeFirst(unneeded)
            }
        }

        /// The index of the first time within the window that ends at `time` (times are in order).
        private func firstIndexInWindow(endingAt time: Int64) -> Int {
            let windowStart = time - configuration.windowMilliseconds
            var low = 0
            var high = recentEventTimes.count
            while low < high {
                let middle = (low + high) / 2
                if recentEventTimes[middle] > windowStart { high = middle } else { low = middle + 1 }
            }
            return low
        }
    }
}
