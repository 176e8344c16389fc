import Foundation

/// A child process started with `posix_spawn`, its standard output and error
/// piped to the parent. Foundation's `Process.run()` on Linux crashed (in a
/// `memcpy`) in about one full test run in six, so tests launch children here.
public final class ChildProcess: @unchecked Sendable {
    public let processIdentifier: pid_t
    public let arguments: [String]
    /// The parent's ends of the child's standard output and error.
    let standardOutput: FileHandle
    let standardError: FileHandle
    private let exited = NSCondition()
    private var status: Int32?

    /// Starts `executable`; `standardInput` is written and closed at once (`nil`: `/dev/null`).
    public init(executable: String, arguments: [String], environment: [String: String], standardInput: Data?) throws {
        self.arguments = arguments
        // One spawn at a time: no other child can inherit these pipes before they are close-on-exec.
        Self.spawning.lock()
        defer { Self.spawning.unlock() }
        let output = try Self.pipe(), errors = try Self.pipe(), input = try Self.pipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if standardInput == nil {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        } else {
            posix_spawn_file_actions_adddup2(&actions, input.read, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errors.write, 2)
        for descriptor in [input.read, input.write, output.read, output.write, errors.read, errors.write] {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        for descriptor in [input.read, output.write, errors.write] { close(descriptor) }
        guard result == 0 else {
            for descriptor in [input.write, output.read, errors.read] { close(descriptor) }
            throw SpoolProcessError("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        processIdentifier = pid
        standardOutput = FileHandle(fileDescriptor: output.read, closeOnDealloc: true)
        standardError = FileHandle(fileDescriptor: errors.read, closeOnDealloc: true)
        let stdin = FileHandle(fileDescriptor: input.write, closeOnDealloc: true)
        if let standardInput { stdin.write(standardInput) }
        try stdin.close()
        Thread { [self] in reap() }.start()
    }

    private static let spawning = NSLock()

    private static func pipe() throws -> (read: Int32, write: Int32) {
        var descriptors: [Int32] = [0, 0]
        guard Glibc.pipe(&descriptors) == 0 else { throw SpoolProcessError("pipe() failed") }
        for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        return (descriptors[0], descriptors[1])
    }

    /// Waits for the child on its own thread, so its exit is seen at once.
    private func reap() {
        var raw: Int32 = 0
        while waitpid(processIdentifier, &raw, 0) == -1, errno == EINTR {}
        // Exited: its exit code; killed: the signal's number (as Foundation's `Process` reports it).
        let code = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : raw & 0x7f
        exited.lock()
        status = code
        exited.broadcast()
        exited.unlock()
    }

    public var isRunning: Bool {
        exited.lock()
        defer { exited.unlock() }
        return status == nil
    }

    /// Blocks until the child exits.
    public func waitUntilExit() {
        exited.lock()
        while status == nil { exited.wait() }
        exited.unlock()
    }

    /// The exit code, or the number of the signal that ended the child. Valid after exit.
    public var terminationStatus: Int32 {
        exited.lock()
        defer { exited.unlock() }
        return status ?? -1
    }

    /// SIGTERM.
    public func terminate() {
        if isRunning { kill(processIdentifier, SIGTERM) }
    }
}
