import ArgumentParser
import AsyncHTTPClient
import Foundation
import SpoolClient
import SpoolCore

/// Where the server is: shared by every command that talks to one.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "Server URL (env SPOOL_URL).")
    var server: String = ProcessInfo.processInfo.environment["SPOOL_URL"] ?? "http://127.0.0.1:4437"

    func validate() throws {
        let lowered = server.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://"), URL(string: server)?.host != nil else {
            throw ValidationError("--server (or SPOOL_URL) must be a URL such as http://127.0.0.1:4437, not '\(server)'")
        }
    }

    /// The token comes from the environment only, so it never shows in `ps` or shell history.
    var client: SpoolClient {
        SpoolClient(baseURL: server, token: ProcessInfo.processInfo.environment["SPOOL_AUTH_TOKEN"], httpClient: cliHTTPClient)
    }
}

/// The CLI's HTTP client: a server that is not there is reported at once, not retried until a deadline.
let cliHTTPClient: HTTPClient = {
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool.retryConnectionEstablishment = false
    configuration.timeout.connect = .seconds(5)
    return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
}()

/// A command that could not do what it was asked for a reason of its own (a file it cannot
/// read, a turn with no answer), not an error the server answered with: it has no code.
struct CommandFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Runs a command body, printing a Spool error (with its code when the server sent one) or a
/// command's own failure as one clear line and exiting non-zero.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as SpoolError {
        let code = error.codeIsFromServer ? " (\(error.code))" : ""
        FileHandle.standardError.write(Data("error: \(error.message)\(code)\n".utf8))
        throw ExitCode(1)
    } catch let failure as CommandFailure {
        FileHandle.standardError.write(Data("error: \(failure.message)\n".utf8))
        throw ExitCode(1)
    }
}

/// Parses a stream path argument.
func streamPath(_ text: String) throws -> StreamPath {
    do {
        return try StreamPath(text)
    } catch {
        throw ValidationError(error.message)
    }
}

/// Whether standard output is a terminal (for colour).
var standardOutputIsTerminal: Bool { isatty(1) == 1 }

/// Prints a line and flushes at once, so pipes and tests see it immediately.
func printFlushed(_ text: String, terminator: String = "\n") {
    FileHandle.standardOutput.write(Data((text + terminator).utf8))
}
