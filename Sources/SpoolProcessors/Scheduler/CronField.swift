import SpoolCore

/// One of the five fields of a cron expression: its name, the values it
/// allows and their names, and the parser that turns its text into a bit set.
struct CronField: Sendable {
    let name: String
    let bounds: ClosedRange<Int>
    /// Three-letter names (lowercase) for values, such as `jan` or `mon`.
    let names: [String: Int]
    /// Day-of-week accepts 7 as another spelling of Sunday (0).
    var sevenIsSunday = false

    static let minute = CronField(name: "minute", bounds: 0...59, names: [:])
    static let hour = CronField(name: "hour", bounds: 0...23, names: [:])
    static let dayOfMonth = CronField(name: "day-of-month", bounds: 1...31, names: [:])
    static let month = CronField(
        name: "month", bounds: 1...12,
        names: ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
                "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12])
    /// 0 and 7 are both Sunday.
    static let dayOfWeek = CronField(
        name: "day-of-week", bounds: 0...7,
        names: ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6], sevenIsSunday: true)

    /// Parses a field (`*`, `5`, `1-5`, `*/15`, `1-30/2`, `mon,wed`, …) into a
    /// bit set with bit `n` set for each allowed value `n`.
    /// - Throws: a message saying what is wrong with the field.
    func parse(_ text: Substring) throws(CronFieldError) -> UInt64 {
        var bits: UInt64 = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            bits |= try parseItem(item)
        }
        if sevenIsSunday, bits & (1 << 7) != 0 {
            bits = (bits & ~(1 << 7)) | 1  // 7 is Sunday, like 0
        }
        return bits
    }

    private func parseItem(_ item: Substring) throws(CronFieldError) -> UInt64 {
        guard !item.isEmpty else { throw CronFieldError("empty list item") }
        let parts = item.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw CronFieldError("'\(item)' has more than one '/'") }
        var step = 1
        if parts.count == 2 {
            guard let value = Int(parts[1]), value >= 1 else {
                throw CronFieldError("step '\(parts[1])' must be a positive integer")
            }
            step = value
        }
        let range: ClosedRange<Int>
        if parts[0] == "*" {
            // `*` in day-of-week means 0–6: 7 would only repeat Sunday.
            range = sevenIsSunday ? 0...6 : bounds
        } else if let dash = parts[0].firstIndex(of: "-") {
            let low = try value(parts[0][..<dash])
            let high = try value(parts[0][parts[0].index(after: dash)...])
            guard low <= high else { throw CronFieldError("range '\(parts[0])' goes backwards") }
            range = low...high
        } else {
            let single = try value(parts[0])
            // `5/15` means from 5 to the end in steps of 15; a bare `5` is just 5.
            range = parts.count == 2 ? single...bounds.upperBound : single...single
        }
        var bits: UInt64 = 0
        for value in stride(from: range.lowerBound, through: range.upperBound, by: step) {
            bits |= 1 << UInt64(value)
        }
        return bits
    }

    private func value(_ text: Substring) throws(CronFieldError) -> Int {
        guard !text.isEmpty else { throw CronFieldError("a number is missing") }
        let number: Int
        if text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let parsed = Int(text) {
            number = parsed
        } else if let named = names[text.lowercased()] {
            number = named
        } else if names.isEmpty {
            throw CronFieldError("'\(text)' is not a number")
        } else {
            throw CronFieldError("'\(text)' is not a number or a \(self.name) name")
        }
        guard bounds.contains(number) else {
            throw CronFieldError("\(number) is out of range \(bounds.lowerBound)–\(bounds.upperBound)")
        }
        return number
    }
}

/// Why a cron field did not parse; `CronExpression` adds the field and expression.
struct CronFieldError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

extension UInt64 {
    /// The smallest set bit at or above `index`.
    func nextSetBit(atOrAfter index: Int) -> Int? {
        guard index < 64 else { return nil }
        let masked = self & (~UInt64(0) << UInt64(Swift.max(index, 0)))
        return masked == 0 ? nil : masked.trailingZeroBitCount
    }

    /// The largest set bit at or below `index`.
    func previousSetBit(atOrBefore index: Int) -> Int? {
        guard index >= 0 else { return nil }
        let masked = index >= 63 ? self : self & ((UInt64(1) << UInt64(index + 1)) - 1)
        return masked == 0 ? nil : 63 - masked.leadingZeroBitCount
    }
}
