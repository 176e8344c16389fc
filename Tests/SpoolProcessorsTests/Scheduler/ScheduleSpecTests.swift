import SpoolCore
import SpoolProcessors
import Testing

/// `spool/append-scheduled` payloads, due times, and the missed-run-fires-once rule.
@Suite(.timeLimit(.minutes(3))) struct ScheduleSpecTests {
    let created = Timestamp.utc("2026-03-10T10:00:00.250Z")

    func spec(_ payload: JSONValue) throws -> ScheduleSpec {
        try ScheduleSpec(payload: payload)
    }

    @Test func parsesEachTiming() throws {
        let event: JSONValue = ["type": "report/requested", "payload": ["kind": "daily"]]
        #expect(try spec(["name": "a", "at": "2026-04-01T09:00:00Z", "event": event]).timing == .at(.utc("2026-04-01T09:00:00Z")))
        #expect(try spec(["name": "a", "afterSeconds": 90, "event": event]).timing == .after(milliseconds: 90_000))
        #expect(try spec(["name": "a", "afterSeconds": 0.25, "event": event]).timing == .after(milliseconds: 250))
        #expect(try spec(["name": "a", "everySeconds": 60, "event": event]).timing == .every(milliseconds: 60_000))
        #expect(try spec(["name": "a", "cron": "*/5 * * * *", "event": event]).timing == .cron(try CronExpression("*/5 * * * *")))
        let parsed = try spec(["name": "nightly", "cron": "@daily", "event": event])
        #expect(parsed.name == "nightly")
        #expect(parsed.event == (try AppendInput(type: "report/requested", payload: ["kind": "daily"])))
        #expect(try ScheduleSpec(payload: parsed.payload) == parsed)
    }

    static let badPayloads: [BadPayload] = [
        BadPayload([], "must be a JSON object"),
        BadPayload(["at": "2026-04-01T09:00:00Z", "event": ["type": "x"]], "'name'"),
        BadPayload(["name": "", "at": "2026-04-01T09:00:00Z", "event": ["type": "x"]], "'name'"),
        BadPayload(["name": "a", "event": ["type": "x"]], "needs one of 'at', 'afterSeconds', 'everySeconds' or 'cron'"),
        BadPayload(["name": "a", "at": "2026-04-01T09:00:00Z", "cron": "* * * * *", "event": ["type": "x"]], "got 'at', 'cron'"),
        BadPayload(["name": "a", "at": "tomorrow", "event": ["type": "x"]], "'at' must be an ISO 8601"),
        BadPayload(["name": "a", "afterSeconds": 0, "event": ["type": "x"]], "'afterSeconds' must be a number greater than 0"),
        BadPayload(["name": "a", "afterSeconds": "5", "event": ["type": "x"]], "'afterSeconds'"),
        BadPayload(["name": "a", "everySeconds": 0.5, "event": ["type": "x"]], "'everySeconds' must be a number of at least 1"),
        BadPayload(["name": "a", "everySeconds": 1e300, "event": ["type": "x"]], "'everySeconds'"),
        BadPayload(["name": "a", "cron": 5, "event": ["type": "x"]], "'cron' must be a string"),
        BadPayload(["name": "a", "cron": "* * *", "event": ["type": "x"]], "invalid cron expression"),
        BadPayload(["name": "a", "at": "2026-04-01T09:00:00Z"], "needs an 'event'"),
        BadPayload(["name": "a", "at": "2026-04-01T09:00:00Z", "event": ["payload": [:]]], "'event': missing required field 'type'"),
        BadPayload(["name": "a", "at": "2026-04-01T09:00:00Z", "event": ["type": "x", "payload": 3]], "'event': 'payload' must be a JSON object"),
        BadPayload(["name": "a", "at": "2026-04-01T09:00:00Z", "event": ["type": "x", "idempotencyKey": "k"]], "must not set 'idempotencyKey'"),
        BadPayload(["name": "a", "at": "2026-04-01T09:00:00Z", "event": ["type": "x"], "when": "now"], "unknown schedule field 'when'"),
    ]

    @Test(arguments: badPayloads)
    func rejectsBadPayloads(_ bad: BadPayload) {
        #expect {
            try ScheduleSpec(payload: bad.payload)
        } throws: { error in
            guard let error = error as? SpoolError else { return false }
            return error.code == .invalidEvent && error.message.contains(bad.message)
        }
    }

    @Test func oneShotsAreDueOnceAtTheirTime() throws {
        let at = ScheduleTiming.at(.utc("2026-03-10T12:00:00Z"))
        #expect(at.isOneShot)
        #expect(at.nextDue(scheduledAt: created, lastFiredDueAt: nil) == .utc("2026-03-10T12:00:00Z"))
        #expect(at.dueToFire(now: .utc("2026-03-10T11:59:59.999Z"), scheduledAt: created, lastFiredDueAt: nil) == nil)
        #expect(at.dueToFire(now: .utc("2026-03-11T08:00:00Z"), scheduledAt: created, lastFiredDueAt: nil) == .utc("2026-03-10T12:00:00Z"))
        #expect(at.nextDue(scheduledAt: created, lastFiredDueAt: .utc("2026-03-10T12:00:00Z")) == nil)
        #expect(at.dueToFire(now: .utc("2026-03-12T00:00:00Z"), scheduledAt: created, lastFiredDueAt: .utc("2026-03-10T12:00:00Z")) == nil)

        let after = ScheduleTiming.after(milliseconds: 30_000)
        #expect(after.nextDue(scheduledAt: created, lastFiredDueAt: nil) == .utc("2026-03-10T10:00:30.250Z"))
        #expect(after.dueToFire(now: .utc("2026-03-10T10:00:30.250Z"), scheduledAt: created, lastFiredDueAt: nil) == .utc("2026-03-10T10:00:30.250Z"))
        #expect(after.dueToFire(now: .utc("2026-03-10T10:00:30.249Z"), scheduledAt: created, lastFiredDueAt: nil) == nil)
    }

    @Test func intervalsCountFromCreationWithoutDrift() throws {
        let every = ScheduleTiming.every(milliseconds: 60_000)
        #expect(!every.isOneShot)
        #expect(every.nextDue(scheduledAt: created, lastFiredDueAt: nil) == .utc("2026-03-10T10:01:00.250Z"))
        #expect(every.nextDue(scheduledAt: created, lastFiredDueAt: .utc("2026-03-10T10:01:00.250Z")) == .utc("2026-03-10T10:02:00.250Z"))
        #expect(every.dueToFire(now: .utc("2026-03-10T10:01:00.249Z"), scheduledAt: created, lastFiredDueAt: nil) == nil)
        #expect(every.dueToFire(now: .utc("2026-03-10T10:01:05Z"), scheduledAt: created, lastFiredDueAt: nil) == .utc("2026-03-10T10:01:00.250Z"))
    }

    @Test func missedIntervalRunsFireOnceAtTheLatestDueTime() throws {
        let every = ScheduleTiming.every(milliseconds: 60_000)
        let lastFired = Timestamp.utc("2026-03-10T10:05:00.250Z")
        // The server was down from 10:05:30 to 13:42:10: about 217 periods were missed.
        let now = Timestamp.utc("2026-03-10T13:42:10Z")
        let due = every.dueToFire(now: now, scheduledAt: created, lastFiredDueAt: lastFired)
        #expect(due == .utc("2026-03-10T13:42:00.250Z"))
        // Once that one fired, nothing else is due until the next period.
        #expect(every.dueToFire(now: now, scheduledAt: created, lastFiredDueAt: due) == nil)
        #expect(every.nextDue(scheduledAt: created, lastFiredDueAt: due) == .utc("2026-03-10T13:43:00.250Z"))
    }

    @Test func missedCronRunsFireOnceAtTheLatestDueTime() throws {
        let cron = ScheduleTiming.cron(try CronExpression("*/15 * * * *"))
        #expect(cron.nextDue(scheduledAt: created, lastFiredDueAt: nil) == .utc("2026-03-10T10:15:00Z"))
        let lastFired = Timestamp.utc("2026-03-10T10:15:00Z")
        let now = Timestamp.utc("2026-03-12T07:31:00Z")  // down for two days
        let due = cron.dueToFire(now: now, scheduledAt: created, lastFiredDueAt: lastFired)
        #expect(due == .utc("2026-03-12T07:30:00Z"))
        #expect(cron.dueToFire(now: now, scheduledAt: created, lastFiredDueAt: due) == nil)
        #expect(cron.nextDue(scheduledAt: created, lastFiredDueAt: due) == .utc("2026-03-12T07:45:00Z"))
        // Not yet due: nothing to fire.
        #expect(cron.dueToFire(now: .utc("2026-03-10T10:14:59Z"), scheduledAt: created, lastFiredDueAt: nil) == nil)
    }

    @Test func firingAddsMetadataAndAStableIdempotencyKey() throws {
        let parsed = try spec([
            "name": "nightly", "cron": "0 3 * * *",
            "event": ["type": "report/requested", "payload": ["n": 1], "metadata": ["source": "ops"]],
        ])
        let dueAt = Timestamp.utc("2026-03-11T03:00:00Z")
        let input = parsed.fireInput(dueAt: dueAt)
        #expect(input.type == "report/requested")
        #expect(input.payload == ["n": 1])
        #expect(input.metadata == ["source": "ops", "spool.schedule": "nightly", "spool.dueAt": "2026-03-11T03:00:00.000Z"])
        #expect(input.idempotencyKey == "spool-schedule:nightly@2026-03-11T03:00:00.000Z")
        #expect(parsed.fireInput(dueAt: dueAt) == input)
        let plain = try spec(["name": "n", "afterSeconds": 1, "event": ["type": "x"]]).fireInput(dueAt: dueAt)
        #expect(plain.metadata == ["spool.schedule": "n", "spool.dueAt": "2026-03-11T03:00:00.000Z"])
    }

    @Test func longestNameStillMakesAValidKey() throws {
        let name = String(repeating: "n", count: ScheduleSpec.maximumNameLength)
        let parsed = try spec(["name": .string(name), "afterSeconds": 1, "event": ["type": "x"]])
        let input = parsed.fireInput(dueAt: created)
        #expect(try AppendInput(json: input.jsonValue) == input)
        #expect(throws: SpoolError.self) {
            try spec(["name": .string(name + "n"), "afterSeconds": 1, "event": ["type": "x"]])
        }
    }
}
