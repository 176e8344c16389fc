import Foundation
import SpoolCore
@testable import SpoolProcessors
import Testing

/// `GET /state` and `spool state` print a state's keys in one order, so two answers can be diffed.
@Suite(.timeLimit(.minutes(3))) struct ProcessorStateJSONTests {
    @Test func theSameStateEncodesToTheSameBytesWithKeysSorted() throws {
        let state = CircuitBreaker.State(
            configuration: CircuitBreaker.Configuration(maxEvents: 5, windowSeconds: 1.5), isPaused: true,
            recentEventTimes: [1, 2, 3])
        let first = try ProcessorStateJSON.value(of: state).jsonString
        #expect(first == #"{"configuration":{"maxEvents":5,"windowSeconds":1.5},"isPaused":true,"recentEventTimes":[1,2,3]}"#)
        for _ in 0..<200 {
            #expect(try ProcessorStateJSON.value(of: state).jsonString == first)
        }
    }

    @Test func dictionariesInAStateAreSortedToo() throws {
        let state = Dictionary(uniqueKeysWithValues: (0..<50).map { ("key\($0)", ["b": $0, "a": $0]) })
        let keys = try #require(ProcessorStateJSON.value(of: state).objectValue).members.map(\.key)
        #expect(keys == keys.sorted())
        #expect(keys.count == 50)
    }
}
