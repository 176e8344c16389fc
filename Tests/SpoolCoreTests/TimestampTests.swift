import SpoolCore
import Testing

/// UTC ISO 8601 with milliseconds, as the store stamps events.
@Suite(.timeLimit(.minutes(3))) struct TimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (1, "1970-01-01T00:00:00.001Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (-86_400_000, "1969-12-31T00:00:00.000Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        (1_795_511_523_512, "2026-11-24T09:12:03.512Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
    ])
    func formatsAndParses(milliseconds: Int64, text: String) throws {
        let timestamp = Timestamp(millisecondsSinceEpoch: milliseconds)
        #expect(timestamp.iso8601 == text)
        #expect(timestamp.description == text)
        #expect(Timestamp(iso8601: text) == timestamp)
    }

    @Test func roundTripsAcrossManyInstants() throws {
        var milliseconds: Int64 = -2_208_988_800_000  // 1900-01-01
        while milliseconds < 4_102_444_800_000 {  // 2100-01-01
            let timestamp = Timestamp(millisecondsSinceEpoch: milliseconds)
            #expect(Timestamp(iso8601: timestamp.iso8601) == timestamp, "\(milliseconds)")
            milliseconds += 7_919_876_543  // about three months, odd milliseconds
        }
    }

    @Test func nowFormatsAsTwentyFourCharacters() {
        let now = Timestamp.now()
        #expect(now.iso8601.utf8.count == 24)
        #expect(now.millisecondsSinceEpoch > 1_700_000_000_000)
        #expect(Timestamp(iso8601: now.iso8601) == now)
    }

    @Test(arguments: [
        ("2026-11-24T09:12:03Z", Int64(1_795_511_523_000)),
        ("2026-11-24T09:12:03.5Z", 1_795_511_523_500),
        ("2026-11-24T09:12:03.51Z", 1_795_511_523_510),
        ("2026-11-24T09:12:03.512999Z", 1_795_511_523_512),
    ])
    func parsesOptionalAndLongerFractions(text: String, milliseconds: Int64) {
        #expect(Timestamp(iso8601: text)?.millisecondsSinceEpoch == milliseconds)
    }

    static let invalidTexts: [String] = [
        "", "2026-11-24", "2026-11-24T09:12:03", "2026-11-24T09:12:03.512", "2026-11-24T09:12:03.Z",
        "2026-11-24T09:12:03.51xZ", "2026-11-24T09:12:03.512abcZ", "2026-11-24T09:12:03xZ", "2026-11-24T09:12:03.512+01:00",
        "2026/11/24T09:12:03.512Z", "2026-11-24 09:12:03.512Z", "2026-11-24T09-12-03.512Z", "2026-1a-24T09:12:03.512Z",
        "2026-13-24T09:12:03.512Z", "2026-00-24T09:12:03.512Z", "2026-11-32T09:12:03.512Z", "2026-11-00T09:12:03.512Z",
        "2026-11-24T24:12:03.512Z", "2026-11-24T09:60:03.512Z", "2026-11-24T09:12:61.512Z", "x026-11-24T09:12:03.512Z",
        // Days a month does not have (timegm would roll them into the next month).
        "2026-02-29T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-31T00:00:00Z", "2026-04-31T00:00:00Z", "2100-02-29T00:00:00Z",
    ]

    @Test(arguments: ["2028-02-29T00:00:00Z", "2000-02-29T12:00:00Z", "2026-12-31T23:59:59Z", "2026-01-31T00:00:00Z", "2026-06-30T00:00:00Z"])
    func acceptsTheLastDayOfEachMonth(text: String) throws {
        let timestamp = try #require(Timestamp(iso8601: text))
        #expect(timestamp.iso8601.hasPrefix(String(text.prefix(19))))
    }

    @Test(arguments: invalidTexts)
    func refusesMalformedText(text: String) {
        #expect(Timestamp(iso8601: text) == nil)
    }

    @Test func ordersByInstant() {
        let earlier = Timestamp(millisecondsSinceEpoch: 5)
        let later = Timestamp(millisecondsSinceEpoch: 6)
        #expect(earlier < later)
        #expect(!(later < earlier))
    }
}
