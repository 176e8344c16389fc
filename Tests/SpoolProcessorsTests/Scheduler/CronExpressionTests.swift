import Foundation
import SpoolCore
import SpoolProcessors
import Testing

/// Five-field cron in UTC: parsing, next and latest fire times, and errors that name the field.
@Suite(.timeLimit(.minutes(3))) struct CronExpressionTests {
    @Test(arguments: [
        // every minute, strictly after, whole minutes
        ("* * * * *", "2026-03-10T10:15:30.500Z", "2026-03-10T10:16:00.000Z"),
        ("* * * * *", "2026-03-10T10:15:00.000Z", "2026-03-10T10:16:00.000Z"),
        ("* * * * *", "2026-12-31T23:59:59.999Z", "2027-01-01T00:00:00.000Z"),
        // steps
        ("*/15 * * * *", "2026-03-10T10:15:00.000Z", "2026-03-10T10:30:00.000Z"),
        ("*/15 * * * *", "2026-03-10T10:46:10.000Z", "2026-03-10T11:00:00.000Z"),
        ("0-30/10 * * * *", "2026-03-10T10:21:00.000Z", "2026-03-10T10:30:00.000Z"),
        ("0-30/10 * * * *", "2026-03-10T10:30:00.000Z", "2026-03-10T11:00:00.000Z"),
        ("5/20 * * * *", "2026-03-10T10:26:00.000Z", "2026-03-10T10:45:00.000Z"),
        // ranges and lists
        ("0 9-17 * * *", "2026-03-10T17:30:00.000Z", "2026-03-11T09:00:00.000Z"),
        ("0 9-17 * * *", "2026-03-10T08:59:59.000Z", "2026-03-10T09:00:00.000Z"),
        ("5,35 * * * *", "2026-03-10T10:06:00.000Z", "2026-03-10T10:35:00.000Z"),
        ("30 8 1,15 * *", "2026-03-02T00:00:00.000Z", "2026-03-15T08:30:00.000Z"),
        // names, case-insensitive; 2026-03-10 is a Tuesday
        ("0 12 * * mon", "2026-03-10T00:00:00.000Z", "2026-03-16T12:00:00.000Z"),
        ("0 12 * * MON-fri", "2026-03-13T12:00:00.000Z", "2026-03-16T12:00:00.000Z"),
        ("0 0 1 jul,JAN *", "2026-03-10T00:00:00.000Z", "2026-07-01T00:00:00.000Z"),
        ("0 0 1 nov-dec *", "2026-12-01T00:00:00.000Z", "2027-11-01T00:00:00.000Z"),
        // 0 and 7 are Sunday; 2026-03-15 is a Sunday
        ("0 0 * * 0", "2026-03-10T00:00:00.000Z", "2026-03-15T00:00:00.000Z"),
        ("0 0 * * 7", "2026-03-10T00:00:00.000Z", "2026-03-15T00:00:00.000Z"),
        ("0 0 * * sun", "2026-03-10T00:00:00.000Z", "2026-03-15T00:00:00.000Z"),
        ("0 0 * * 6-7", "2026-03-14T00:00:00.000Z", "2026-03-15T00:00:00.000Z"),
        // both day fields restricted: either matches (the 1st, or a Monday)
        ("0 0 1 * mon", "2026-03-10T00:00:00.000Z", "2026-03-16T00:00:00.000Z"),
        ("0 0 1 * mon", "2026-03-30T00:00:00.000Z", "2026-04-01T00:00:00.000Z"),
        // a starred day-of-month leaves day-of-week alone in charge
        ("0 0 */2 * mon", "2026-03-10T00:00:00.000Z", "2026-03-23T00:00:00.000Z"),
        // leap years and month ends
        ("0 0 29 2 *", "2026-03-01T00:00:00.000Z", "2028-02-29T00:00:00.000Z"),
        ("0 0 29 2 *", "2096-03-01T00:00:00.000Z", "2104-02-29T00:00:00.000Z"),
        ("0 0 31 * *", "2026-04-01T00:00:00.000Z", "2026-05-31T00:00:00.000Z"),
        ("59 23 30 * *", "2026-01-31T00:00:00.000Z", "2026-03-30T23:59:00.000Z"),
        ("0 0 1 1 *", "2026-06-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"),
        // shorthands
        ("@hourly", "2026-03-10T10:00:00.000Z", "2026-03-10T11:00:00.000Z"),
        ("@daily", "2026-03-10T10:00:00.000Z", "2026-03-11T00:00:00.000Z"),
        ("@midnight", "2026-03-10T10:00:00.000Z", "2026-03-11T00:00:00.000Z"),
        ("@weekly", "2026-03-10T10:00:00.000Z", "2026-03-15T00:00:00.000Z"),
        ("@monthly", "2026-03-10T10:00:00.000Z", "2026-04-01T00:00:00.000Z"),
        ("@yearly", "2026-03-10T10:00:00.000Z", "2027-01-01T00:00:00.000Z"),
        ("@ANNUALLY", "2026-03-10T10:00:00.000Z", "2027-01-01T00:00:00.000Z"),
        // before 1970
        ("0 0 1 1 *", "1969-06-01T00:00:00.000Z", "1970-01-01T00:00:00.000Z"),
    ])
    func nextFireTime(expression: String, after: String, expected: String) throws {
        let cron = try CronExpression(expression)
        let next = try #require(cron.nextFireTime(after: .utc(after)))
        #expect(next.iso8601 == expected)
        #expect(cron.matches(next))
    }

    @Test(arguments: [
        ("*/15 * * * *", "2026-03-10T10:44:59.999Z", "2026-03-10T10:30:00.000Z"),
        ("*/15 * * * *", "2026-03-10T10:45:00.000Z", "2026-03-10T10:45:00.000Z"),
        ("0 9-17 * * *", "2026-03-10T08:00:00.000Z", "2026-03-09T17:00:00.000Z"),
        ("0 0 29 2 *", "2028-02-28T00:00:00.000Z", "2024-02-29T00:00:00.000Z"),
        ("0 0 31 * *", "2026-05-01T00:00:00.000Z", "2026-03-31T00:00:00.000Z"),
        ("0 0 1 * mon", "2026-03-31T00:00:00.000Z", "2026-03-30T00:00:00.000Z"),
        ("0 0 1 1 *", "1970-06-01T00:00:00.000Z", "1970-01-01T00:00:00.000Z"),
    ])
    func latestFireTime(expression: String, atOrBefore: String, expected: String) throws {
        let cron = try CronExpression(expression)
        #expect(cron.latestFireTime(atOrBefore: .utc(atOrBefore))?.iso8601 == expected)
    }

    @Test func stepsThroughEveryMatchInOrder() throws {
        let cron = try CronExpression("0,30 9 * * mon-fri")
        var times: [String] = []
        var instant = Timestamp.utc("2026-03-12T00:00:00Z")  // a Thursday
        for _ in 0..<6 {
            instant = try #require(cron.nextFireTime(after: instant))
            times.append(instant.iso8601)
        }
        #expect(times == [
            "2026-03-12T09:00:00.000Z", "2026-03-12T09:30:00.000Z", "2026-03-13T09:00:00.000Z",
            "2026-03-13T09:30:00.000Z", "2026-03-16T09:00:00.000Z", "2026-03-16T09:30:00.000Z",
        ])
    }

    @Test func sevenAndZeroAreTheSameSunday() throws {
        let zero = try CronExpression("0 0 * * 0")
        let seven = try CronExpression("0 0 * * 7")
        var instant = Timestamp.utc("2026-01-01T00:00:00Z")
        for _ in 0..<10 {
            let next = zero.nextFireTime(after: instant)
            #expect(next == seven.nextFireTime(after: instant))
            instant = try #require(next)
        }
    }

    @Test func keepsItsSourceAndRoundTripsThroughCodable() throws {
        let cron = try CronExpression("  */5 * * * *  ")
        #expect(cron.source == "*/5 * * * *")
        #expect(cron.description == "*/5 * * * *")
        let data = try JSONEncoder().encode([cron])
        #expect(String(decoding: data, as: UTF8.self) == #"["*\/5 * * * *"]"#)
        #expect(try JSONDecoder().decode([CronExpression].self, from: data) == [cron])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([CronExpression].self, from: Data(#"["61 * * * *"]"#.utf8)) }
    }

    @Test(arguments: [
        ("* * * *", "expected 5 fields"),
        ("* * * * * *", "expected 5 fields"),
        ("", "expected 5 fields"),
        ("60 * * * *", "minute field '60': 60 is out of range 0–59"),
        ("* 24 * * *", "hour field '24'"),
        ("* * 0 * *", "day-of-month field '0'"),
        ("* * 32 * *", "day-of-month field '32'"),
        ("* * * 13 *", "month field '13'"),
        ("* * * foo *", "month field 'foo': 'foo' is not a number or a month name"),
        ("* * * * 8", "day-of-week field '8'"),
        ("* * * * funday", "day-of-week field 'funday'"),
        ("*/0 * * * *", "minute field '*/0': step '0' must be a positive integer"),
        ("*/x * * * *", "minute field '*/x'"),
        ("5-1 * * * *", "minute field '5-1': range '5-1' goes backwards"),
        ("1,,2 * * * *", "minute field '1,,2': empty list item"),
        ("1-2-3 * * * *", "minute field '1-2-3'"),
        ("-5 * * * *", "minute field '-5': a number is missing"),
        ("+5 * * * *", "minute field '+5'"),
        ("1/2/3 * * * *", "minute field '1/2/3'"),
        ("* * * jan mon-", "day-of-week field 'mon-'"),
        ("@fortnightly", "unknown shorthand"),
        ("0 0 30 2 *", "day-of-month field '30': no selected month has that day"),
        ("0 0 31 4,6,9,11 *", "day-of-month field '31'"),
    ])
    func rejectsBadExpressions(expression: String, message: String) {
        #expect {
            try CronExpression(expression)
        } throws: { error in
            guard let error = error as? SpoolError else { return false }
            return error.code == .invalidEvent && error.message.contains(message)
                && error.message.contains("'\(expression)'")
        }
    }

    @Test func acceptsFebruaryThirtiethWhenADayOfWeekCanMatch() throws {
        // Both day fields restricted: any Monday in February matches, so this fires.
        let cron = try CronExpression("0 0 30 2 mon")
        #expect(cron.nextFireTime(after: .utc("2026-03-10T00:00:00Z"))?.iso8601 == "2027-02-01T00:00:00.000Z")
    }
}
