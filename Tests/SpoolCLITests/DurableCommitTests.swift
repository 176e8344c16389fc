import Foundation
import SpoolClient
import SpoolCore
import SpoolTesting
import Testing

/// An acknowledged append is on disk, not only in the page cache: the real server,
/// run under `strace`, syncs its SQLite log (`spool.sqlite-wal`) while handling each
/// append, before answering it. `kill -9` cannot show this (the page cache outlives
/// the process); only a power cut would, which is why the system calls are checked.
@Suite(.timeLimit(.minutes(3)))
struct DurableCommitTests {
    @Test func everyAppendIsSyncedBeforeItIsAcknowledged() async throws {
        let directory = TestServer.temporaryDirectory()
        let trace = directory + "-syscalls.log"
        defer { try? FileManager.default.removeItem(atPath: trace) }
        // Only `fdatasync` stops the server (seccomp filters the rest), with epoch times and file names.
        let strace = ["/usr/bin/strace", "-f", "-qq", "--seccomp-bpf", "-ttt", "-y", "-e", "trace=fdatasync", "-o", trace]
        let server = try await SpoolProcess.serve(dataDirectory: directory, launcher: strace)
        let client = SpoolClient(baseURL: server.baseURL, httpClient: failFastHTTPClient)

        var handling: [ClosedRange<Double>] = []
        for index in 0..<40 {
            let sent = Date().timeIntervalSince1970
            _ = try await client.append(AppendInput(type: "durable/test"), to: StreamPath("/durable/\(index % 4)"))
            handling.append(sent...Date().timeIntervalSince1970)
        }
        // strace outlives a SIGTERM of its own; the server's pid is in its data directory's lock.
        let lock = try String(contentsOfFile: directory + "/spool.lock", encoding: .utf8)
        let pid = try #require(Int32(lock.trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(pid, SIGTERM)
        let exit = await server.finish()
        #expect(exit.status == 0, "\(exit.errors)")

        let logSyncs = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").compactMap { line -> Double? in
            guard line.contains("fdatasync("), line.contains("spool.sqlite-wal>") else { return nil }
            let fields = line.split(separator: " ")  // "TID SECONDS.MICROS fdatasync(FD</path>) = 0"
            return fields.count > 2 ? Double(fields[1]) : nil
        }
        let unsynced = handling.filter { window in !logSyncs.contains { window.contains($0) } }.count
        #expect(
            unsynced == 0,
            "\(unsynced) of \(handling.count) appends were answered with no sync of the log while they were handled (\(logSyncs.count) syncs in all)"
        )
    }
}
