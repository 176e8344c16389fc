import SpoolCore

/// A standard five-field cron expression, evaluated in UTC:
/// `minute hour day-of-month month day-of-week`.
///
/// Fields take `*`, values, lists (`1,15`), ranges (`1-5`), steps (`*/15`,
/// `0-30/10`), month names (`jan`) and weekday names (`mon`); 0 and 7 are
/// both Sunday. When day-of-month and day-of-week are both restricted (neither
/// starts with `*`), a day matches if it matches either, as in Vixie cron.
/// `@hourly`, `@daily` (`@midnight`), `@weekly`, `@monthly` and `@yearly`
/// (`@annually`) are shorthands.
///
/// ```swift
/// let cron = try CronExpression("*/15 9-17 * * mon-fri")
/// let next = cron.nextFireTime(after: .now())
/// ```
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written.
    public let source: String
    let minutes: UInt64
    let hours: UInt64
    let daysOfMonth: UInt64
    let months: UInt64
    let daysOfWeek: UInt64
    let restrictsDayOfMonth: Bool
    let restrictsDayOfWeek: Bool

    private static let shorthands: [String: String] = [
        "@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0",
        "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *",
    ]

    /// How far a search looks before deciding an expression never fires
    /// (February 29 can be eight years apart).
    private static let searchYears: Int64 = 12

    /// Parses an expression.
    /// - Throws: `invalid_event`, naming the field that is wrong.
    public init(_ text: String) throws(SpoolError) {
        let trimmed = text.trimmingASCIIWhitespace()
        let expanded: Substring
        if trimmed.hasPrefix("@") {
            guard let fields = Self.shorthands[trimmed.lowercased()] else {
                throw SpoolError(
                    .invalidEvent,
                    "invalid cron expression '\(text)': unknown shorthand; use @hourly, @daily, @weekly, @monthly or @yearly")
            }
            expanded = Substring(fields)
        } else {
            expanded = trimmed
        }
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count == 5 else {
            throw SpoolError(
                .invalidEvent,
                "invalid cron expression '\(text)': expected 5 fields (minute hour day-of-month month day-of-week), got \(fields.count)")
        }
        func parse(_ field: CronField, _ index: Int) throws(SpoolError) -> UInt64 {
            do {
                return try field.parse(fields[index])
            } catch {
                throw SpoolError(
                    .invalidEvent, "invalid cron expression '\(text)': \(field.name) field '\(fields[index])': \(error.message)")
            }
        }
        source = String(trimmed)
        minutes = try parse(.minute, 0)
        hours = try parse(.hour, 1)
        daysOfMonth = try parse(.dayOfMonth, 2)
        months = try parse(.month, 3)
        daysOfWeek = try parse(.dayOfWeek, 4)
        restrictsDayOfMonth = !fields[2].hasPrefix("*")
        restrictsDayOfWeek = !fields[4].hasPrefix("*")
        if restrictsDayOfMonth, !restrictsDayOfWeek, !Self.anyMonth(in: months, has: daysOfMonth) {
            throw SpoolError(
                .invalidEvent,
                "invalid cron expression '\(text)': day-of-month field '\(fields[2])': no selected month has that day, so it never fires")
        }
    }

    public var description: String { source }

    /// The first fire time strictly after `instant`, on a whole minute;
    /// `nil` if the expression does not fire within the next years.
    public func nextFireTime(after instant: Timestamp) -> Timestamp? {
        let start = instant.millisecondsSinceEpoch.flooredDivision(by: 60_000) + 1
        return searchForward(fromMinute: start).map { Timestamp(millisecondsSinceEpoch: $0 * 60_000) }
    }

    /// The last fire time at or before `instant`; `nil` if none within the past years.
    public func latestFireTime(atOrBefore instant: Timestamp) -> Timestamp? {
        let start = instant.millisecondsSinceEpoch.flooredDivision(by: 60_000)
        return searchBackward(fromMinute: start).map { Timestamp(millisecondsSinceEpoch: $0 * 60_000) }
    }

    /// Whether the expression fires at the minute containing `instant`.
    public func matches(_ instant: Timestamp) -> Bool {
        let minute = instant.millisecondsSinceEpoch.flooredDivision(by: 60_000)
        return searchForward(fromMinute: minute) == minute
    }

    func dayMatches(days: Int64, day: Int) -> Bool {
        let dayOfMonth = daysOfMonth & (1 << UInt64(day)) != 0
        let dayOfWeek = daysOfWeek & (1 << UInt64(CivilDate.weekday(days: days))) != 0
        if restrictsDayOfMonth && restrictsDayOfWeek { return dayOfMonth || dayOfWeek }
        return dayOfMonth && dayOfWeek  // an unrestricted field allows every day
    }

    private func searchForward(fromMinute start: Int64) -> Int64? {
        let startYear = CivilDate.date(days: start.flooredDivision(by: CivilDate.minutesPerDay)).year
        var minute = start
        while true {
            let days = minute.flooredDivision(by: CivilDate.minutesPerDay)
            let minuteOfDay = Int(minute - days * CivilDate.minutesPerDay)
            let (year, month, day) = CivilDate.date(days: days)
            guard year <= startYear + Self.searchYears else { return nil }
            let dayStart = days * CivilDate.minutesPerDay
            if months & (1 << UInt64(month)) == 0 {
                minute = CivilDate.firstDayOfNextMonth(year: year, month: month) * CivilDate.minutesPerDay
            } else if !dayMatches(days: days, day: day) {
                minute = dayStart + CivilDate.minutesPerDay
            } else if let hour = hours.nextSetBit(atOrAfter: minuteOfDay / 60) {
                if hour != minuteOfDay / 60 {
                    minute = dayStart + Int64(hour) * 60
                } else if let next = minutes.nextSetBit(atOrAfter: minuteOfDay % 60) {
                    return dayStart + Int64(hour * 60 + next)
                } else {
                    minute = dayStart + Int64(hour + 1) * 60
                }
            } else {
                minute = dayStart + CivilDate.minutesPerDay
            }
        }
    }

    private func searchBackward(fromMinute start: Int64) -> Int64? {
        let startYear = CivilDate.date(days: start.flooredDivision(by: CivilDate.minutesPerDay)).year
        var minute = start
        while true {
            let days = minute.flooredDivision(by: CivilDate.minutesPerDay)
            let minuteOfDay = Int(minute - days * CivilDate.minutesPerDay)
            let (year, month, day) = CivilDate.date(days: days)
            guard year >= startYear - Self.searchYears else { return nil }
            let dayStart = days * CivilDate.minutesPerDay
            if months & (1 << UInt64(month)) == 0 {
                minute = CivilDate.days(year: year, month: month, day: 1) * CivilDate.minutesPerDay - 1
            } else if !dayMatches(days: days, day: day) {
                minute = dayStart - 1
            } else if let hour = hours.previousSetBit(atOrBefore: minuteOfDay / 60) {
                if hour != minuteOfDay / 60 {
                    minute = dayStart + Int64(hour) * 60 + 59
                } else if let previous = minutes.previousSetBit(atOrBefore: minuteOfDay % 60) {
                    return dayStart + Int64(hour * 60 + previous)
                } else {
                    minute = dayStart + Int64(hour) * 60 - 1
                }
            } else {
                minute = dayStart - 1
            }
        }
    }

    private static func anyMonth(in months: UInt64, has days: UInt64) -> Bool {
        (1...12).contains { month in
            months & (1 << UInt64(month)) != 0
                && (days.nextSetBit(atOrAfter: 1).map { $0 <= CivilDate.maximumDays(inMonth: month) } ?? false)
        }
    }
}

extension CronExpression: Codable {
    /// Decodes the expression from its text.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    /// Encodes the expression as its text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(source)
    }
}

extension String {
    fileprivate func trimmingASCIIWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[first...last]
    }
}
