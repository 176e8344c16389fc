import SpoolCore

/// When a schedule fires: once at an instant, once some time after it was
/// scheduled, at a fixed interval, or on a cron expression (UTC).
///
/// The due-time logic is pure: it takes the time the schedule was created
/// (the `createdAt` of its `spool/append-scheduled` event) and the last due
/// time that fired, and never reads the clock.
public enum ScheduleTiming: Sendable, Hashable {
    /// Once, at this instant (`at`).
    case at(Timestamp)
    /// Once, this long after the schedule was created (`afterSeconds`).
    case after(milliseconds: Int64)
    /// Repeatedly, every interval counted from when the schedule was created (`everySeconds`).
    case every(milliseconds: Int64)
    /// Repeatedly, on a cron expression (`cron`).
    case cron(CronExpression)

    /// Whether the schedule fires once and is then done.
    public var isOneShot: Bool {
        switch self {
        case .at, .after: return true
        case .every, .cron: return false
        }
    }

    /// The next due time after `lastFiredDueAt` (or the first one when nothing
    /// fired yet); `nil` when a one-shot schedule already fired or a cron
    /// expression never fires again.
    public func nextDue(scheduledAt: Timestamp, lastFiredDueAt: Timestamp?) -> Timestamp? {
        switch self {
        case .at(let instant):
            return lastFiredDueAt == nil ? instant : nil
        case .after(let milliseconds):
            return lastFiredDueAt == nil ? scheduledAt.adding(milliseconds: milliseconds) : nil
        case .every(let interval):
            guard let lastFiredDueAt else { return scheduledAt.adding(milliseconds: interval) }
            let elapsed = lastFiredDueAt.millisecondsSinceEpoch - scheduledAt.millisecondsSinceEpoch
            let periods = max(1, elapsed.flooredDivision(by: interval) + 1)
            return scheduledAt.adding(milliseconds: periods * interval)
        case .cron(let expression):
            return expression.nextFireTime(after: lastFiredDueAt ?? scheduledAt)
        }
    }

    /// The due time to fire at `now`, or `nil` if nothing is due.
    ///
    /// Runs missed while the server was down fire once: this returns the
    /// latest due time at or before `now`, never each missed period in turn.
    public func dueToFire(now: Timestamp, scheduledAt: Timestamp, lastFiredDueAt: Timestamp?) -> Timestamp? {
        guard let next = nextDue(scheduledAt: scheduledAt, lastFiredDueAt: lastFiredDueAt), next <= now else {
            return nil
        }
        switch self {
        case .at, .after:
            return next
        case .every(let interval):
            let elapsed = now.millisecondsSinceEpoch - scheduledAt.millisecondsSinceEpoch
            return scheduledAt.adding(milliseconds: elapsed.flooredDivision(by: interval) * interval)
        case .cron(let expression):
            return expression.latestFireTime(atOrBefore: now) ?? next
        }
    }

    /// Whether `dueAt` is a due time this schedule could have fired, so that a
    /// firing left over from an earlier schedule of the same name is not
    /// mistaken for one of this schedule.
    public func couldHaveFired(dueAt: Timestamp, scheduledAt: Timestamp) -> Bool {
        switch self {
        case .at, .after: return dueAt == nextDue(scheduledAt: scheduledAt, lastFiredDueAt: nil)
        case .every, .cron: return dueAt > scheduledAt
        }
    }
}

extension Timestamp {
    func adding(milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + milliseconds)
    }
}
