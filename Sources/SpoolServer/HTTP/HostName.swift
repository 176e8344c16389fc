/// The name or address a `Host` header gives, without its port or a final dot.
///
/// Read byte by byte, as it is read for every request a loopback server without a token answers.
struct HostName {
    /// The name's bytes as sent (not lower-cased).
    let bytes: Substring.UTF8View

    /// Reads `header`; `nil` unless it is a DNS name (letters, digits, `-`, `_`, dots) or a
    /// bracketed IPv6 address (with a zone), then at most `:` and digits.
    init?(header: String) {
        let all = Substring(header).utf8
        if all.first == UInt8(ascii: "[") {
            guard let close = all.firstIndex(of: UInt8(ascii: "]")), Self.isPortOrNothing(all[all.index(after: close)...]) else { return nil }
            bytes = all[...close]
            guard Self.isIPv6Literal(bytes) else { return nil }
            return
        }
        var name = all
        if let colon = all.lastIndex(of: UInt8(ascii: ":")) {
            guard Self.isPortOrNothing(all[colon...]) else { return nil }
            name = all[..<colon]
        }
        if name.last == UInt8(ascii: ".") { name = name.dropLast() }
        guard !name.isEmpty, name.allSatisfy(Self.isNameByte) else { return nil }
        bytes = name
    }

    /// The name, lower-cased.
    var text: String { String(Substring(bytes)).lowercased() }

    /// A dotted IPv4 or a bracketed IPv6 address: no DNS answer can point it elsewhere.
    var isIPAddress: Bool {
        if bytes.first == UInt8(ascii: "[") { return true }
        var parts = 0, digits = 0, value = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0 else { return false }
                parts += 1
                digits = 0
                value = 0
            } else if Self.isDigit(byte) {
                digits += 1
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                guard digits <= 3, value <= 255 else { return false }
            } else {
                return false
            }
        }
        return parts == 3 && digits > 0
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }

    /// Nothing, or `:` and digits.
    private static func isPortOrNothing(_ rest: Substring.UTF8View) -> Bool {
        rest.isEmpty || (rest.first == UInt8(ascii: ":") && rest.dropFirst().allSatisfy(isDigit))
    }

    /// `[`, hexadecimal digits, colons and dots (at least one colon), an optional `%zone`, `]`.
    private static func isIPv6Literal(_ literal: Substring.UTF8View) -> Bool {
        guard literal.count > 2, literal.last == UInt8(ascii: "]") else { return false }
        let inside = literal.dropFirst().dropLast()
        let address = inside.prefix { $0 != UInt8(ascii: "%") }
        let isAddressByte = { (byte: UInt8) in
            isDigit(byte) || ((byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "f")) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".")
        }
        return address.contains(UInt8(ascii: ":")) && address.allSatisfy(isAddressByte)
            && inside[address.endIndex...].allSatisfy { isNameByte($0) || $0 == UInt8(ascii: "%") }
    }
}
