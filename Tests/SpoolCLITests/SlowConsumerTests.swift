import Foundation
import SpoolClient
import SpoolCore
import SpoolServer
import SpoolTesting
import Testing

/// A live reader that stops reading holds the server's memory to a bound,
/// and, once it reads again, still gets every event in order.
@Suite(.timeLimit(.minutes(3)))
struct SlowConsumerTests {
    @Test func aStalledLiveReaderDoesNotGrowServerMemoryAndLosesNothing() async throws {
        let server = try await SpoolProcess.serve(dataDirectory: TestServer.temporaryDirectory())
        defer { server.stop() }
        let client = SpoolClient(baseURL: server.baseURL)
        let path = try StreamPath("/slow/reader")
        try await client.append(AppendInput(type: "slow/first"), to: path)

        let port = try #require(URL(string: server.baseURL)?.port)
        let reader = try StalledSocket(port: port, request: "GET /streams/slow/reader?live=true HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        defer { reader.close() }
        try await Task.sleep(for: .milliseconds(300))
        let before = try #require(ProcessUsage.residentBytes(pid: server.process.processIdentifier))

        // 96 MB of events the reader does not read.
        let payload: JSONValue = ["data": .string(String(repeating: "x", count: 16_000))]
        let batch = try Array(repeating: AppendInput(type: "slow/data", payload: payload), count: 100)
        for _ in 0..<60 { _ = try await client.append(batch, to: path) }
        let last = try await client.append(AppendInput(type: "slow/last"), to: path)
        try await Task.sleep(for: .milliseconds(500))
        let after = try #require(ProcessUsage.residentBytes(pid: server.process.processIdentifier))
        let growth = after - before
        // Writing grows the server by about 25 MB even with no reader (SQLite's caches, malloc's arenas);
        // the stalled reader adds its mailbox (at most 8 MiB) and socket buffers, not the 96 MB it missed.
        #expect(growth < 64 << 20, "server memory grew by \(growth >> 20) MB while 96 MB waited for a stalled reader")

        // Reading again, it gets every event exactly once, in order.
        let offsets = try reader.readEventIDs(until: last.offset, timeout: 60)
        #expect(offsets == Array(1...last.offset))
    }
}

/// A loopback TCP connection with a tiny receive buffer that reads only when asked.
final class StalledSocket: @unchecked Sendable {
    private let descriptor: Int32

    init(port: Int, request: String) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SpoolProcessError("socket() failed") }
        var size: Int32 = 4096
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw SpoolProcessError("connect() failed") }
        let bytes = Array(request.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else { throw SpoolProcessError("write() failed") }
    }

    /// Reads the SSE stream, collecting `id:` lines (offsets), until `offset` arrives or `timeout` seconds pass.
    func readEventIDs(until offset: Int, timeout: Double) throws -> [Int] {
        var wait = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        let deadline = Date(timeIntervalSinceNow: timeout)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var pendingLine: [UInt8] = []
        var ids: [Int] = []
        while Date() < deadline, ids.last != offset {
            let count = read(descriptor, &buffer, buffer.count)
            if count == 0 { break }
            if count < 0 { continue }  // the receive timeout: check the deadline and read again
            for byte in buffer[..<count] {
                guard byte == UInt8(ascii: "\n") else {
                    pendingLine.append(byte)
                    continue
                }
                let line = String(decoding: pendingLine, as: UTF8.self)
                pendingLine.removeAll(keepingCapacity: true)
                if line.hasPrefix("id: "), let id = Int(line.dropFirst(4).prefix { $0 != "\r" }) { ids.append(id) }
            }
        }
        return ids
    }

    func close() { _ = Glibc.close(descriptor) }
}
