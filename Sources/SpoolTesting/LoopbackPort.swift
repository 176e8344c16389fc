import Foundation

/// Picks loopback ports for servers a test starts itself.
public enum LoopbackPort {
    /// A loopback TCP port free now and below the kernel's ephemeral range, so no outgoing
    /// connection takes it as its local port while its server is down: a client retrying a
    /// stopped server's port from an ephemeral port could otherwise connect to itself and
    /// keep the server from binding it again.
    public static func freeOutsideEphemeralRange() throws -> Int {
        let ephemeralStart = ephemeralRangeStart()
        let candidates = Array(max(1024, ephemeralStart - 12_000)..<ephemeralStart).shuffled()
        for port in candidates.prefix(200) where isFree(port) { return port }
        throw SpoolProcessError("no free loopback port below \(ephemeralStart)")
    }

    /// The first port of `net.ipv4.ip_local_port_range` (Linux; 32768 elsewhere).
    private static func ephemeralRangeStart() -> Int {
        let range = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
        return range?.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32768
    }

    /// Whether the port can be bound on 127.0.0.1 now.
    private static func isFree(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
