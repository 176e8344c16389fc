import Foundation
import SpoolCore

/// Makes files immutable (what `chattr +i` does): a file even root cannot write, for tests
/// of read-only data, as root ignores file modes.
public enum ImmutableFile {
    /// Whether files can be made immutable here: it needs `CAP_LINUX_IMMUTABLE` and a file
    /// system with the flag (ext4, xfs, btrfs; not tmpfs).
    public static let isSupported: Bool = {
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("spool-immutable-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: probe, contents: nil) else { return false }
        defer { try? FileManager.default.removeItem(atPath: probe) }
        guard (try? set(probe, immutable: true)) != nil else { return false }
        return (try? set(probe, immutable: false)) != nil
    }()

    /// Sets or clears the immutable flag of `path`.
    /// - Throws: `SpoolError` naming the system's reason.
    public static func set(_ path: String, immutable: Bool) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path) }
        defer { close(fd) }
        var flags: CLong = 0
        guard ioctl(fd, getFlags, &flags) == 0 else { throw failure(path) }
        flags = immutable ? flags | immutableFlag : flags & ~immutableFlag
        guard ioctl(fd, setFlags, &flags) == 0 else { throw failure(path) }
    }

    // <linux/fs.h>: FS_IOC_GETFLAGS, FS_IOC_SETFLAGS (_IOR/_IOW('f', 1/2, long)), FS_IMMUTABLE_FL.
    private static let getFlags: UInt = 0x8008_6601
    private static let setFlags: UInt = 0x4008_6602
    private static let immutableFlag: CLong = 0x10

    private static func failure(_ path: String) -> SpoolError {
        SpoolError(.internalError, "cannot change the flags of \(path): \(String(cString: strerror(errno)))")
    }
}
