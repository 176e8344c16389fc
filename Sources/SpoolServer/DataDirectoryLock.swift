import Foundation
import ServiceLifecycle
import SpoolCore
import SpoolStore
import Synchronization

/// Keeps a second server off the SQLite data directory this one serves.
///
/// Two servers on one SQLite file would each be a consistent store (SQLite sees
/// to that), but each would tell only its own live readers of its own appends,
/// and both would run the processors: agents would answer twice and schedules
/// fire twice. (Several nodes share one PostgreSQL database instead, which is
/// built for it.) The lock is an `flock` on `spool.lock` in the directory, which
/// the kernel drops when the process ends, however it ends; the file holds the
/// holder's process id for the error message. As a service it lets go when the
/// server has shut down.
final class DataDirectoryLock: Service {
    static let fileName = "spool.lock"

    private let descriptor: Mutex<Int32?>

    /// Takes the lock on `directory`, creating the directory if needed.
    /// - Throws: `ConfigurationError` if another process holds it, or the directory cannot be made.
    init(directory: String) throws {
        do {
            try DataDirectory.create(directory)
        } catch let error as SpoolError {
            throw ConfigurationError(message: error.message)
        }
        let absolute = URL(fileURLWithPath: directory).standardizedFileURL
        let path = absolute.appendingPathComponent(Self.fileName).path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ConfigurationError(message: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.processID(in: fd).map { " (pid \($0))" } ?? ""
            close(fd)
            throw ConfigurationError(
                message: "another Spool server\(holder) is serving \(absolute.path); "
                    + "stop it, or give this one its own --data directory")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        descriptor = Mutex(fd)
    }

    deinit { release() }

    /// Holds the lock until the server shuts down.
    func run() async throws {
        try? await gracefulShutdown()
        release()
    }

    func release() {
        guard let fd = descriptor.withLock({ $0.take() }) else { return }
        close(fd)  // which drops the lock
    }

    private static func processID(in fd: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: bytes[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
