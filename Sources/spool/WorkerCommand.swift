import ArgumentParser
import Foundation
import SpoolClient
import SpoolCore
import SpoolProcessors

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Deploy or remove dynamic JavaScript workers.",
        discussion: """
            A worker is a processor whose JavaScript source is an event on a stream:
              spool worker deploy /agents/ada counter counter.js
              spool worker deploy /agents counter counter.js --streams '**' \\
                --allow-host api.github.com
              spool worker rm /agents/ada counter
            """,
        subcommands: [Deploy.self, Remove.self])

    struct Deploy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deploy",
            abstract: "Start (or replace) worker NAME on PATH with the JavaScript in FILE.")

        @Argument(help: "The worker's own stream, e.g. /agents/ada.", transform: streamPath) var path: StreamPath
        @Argument(help: "The worker's name (worker:NAME is its processor).") var name: String
        @Argument(help: "JavaScript file with `export default { initialState, reduce, afterAppend }`; '-' reads standard input.")
        var file: String
        @Option(help: "Follow streams below PATH instead of PATH itself, e.g. '*' or '**'.") var streams: String?
        @Option(name: .customLong("allow-host"), help: "A host `fetch` may reach (repeatable).") var allowHosts: [String] = []
        @Option(name: .customLong("timeout-ms"), parsing: .unconditional, help: "CPU time for one afterAppend (default 5000).") var timeoutMs: Int?
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await reportingErrors {
                let source: String
                if file == "-" {
                    source = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                } else {
                    source = try Self.readSource(file)
                }
                var payload: JSONObject = ["name": .string(name), "source": .string(source)]
                if let streams { payload["streams"] = .string(streams) }
                if !allowHosts.isEmpty { payload["allowHosts"] = .array(allowHosts.map { .string($0) }) }
                if let timeoutMs { payload["timeoutMs"] = .int(Int64(timeoutMs)) }
                // What the server would refuse is refused here, before anything is appended.
                let spec = try WorkerSpec(event: Event(streamPath: path, offset: 1, position: 1, type: WorkerSpec.configuredType, payloadJSON: JSONValue.object(payload).jsonString, createdAt: .now()), limits: WorkerLimits())
                // So is a source that would not start: appended, it would stop the version that runs.
                if let failure = await spec.loadFailure() {
                    throw CommandFailure("worker:\(name) was not deployed (nothing was appended; a running version keeps running): \(failure)")
                }
                let client = options.client
                let event = try await client.append(AppendInput(type: WorkerSpec.configuredType, payload: .object(payload)), to: path)
                if let failure = try await Self.startFailure(of: event, client: client) {
                    throw CommandFailure("worker:\(name) version \(event.offset) did not start: \(failure)")
                }
                print("deployed worker:\(name) on \(path) (version \(event.offset)); failures appear as spool/worker-failed on \(path)")
            }
        }

        /// The worker's source file, or why it cannot be read in words a user can act on
        /// (Foundation's own say "The operation could not be completed").
        static func readSource(_ file: String) throws -> String {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
                throw CommandFailure("cannot read \(file): no such file")
            }
            guard !isDirectory.boolValue else { throw CommandFailure("cannot read \(file): it is a directory") }
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CommandFailure("cannot read \(file): it cannot be opened (check its permissions)")
            }
            guard let text = String(data: data, encoding: .utf8) else { throw CommandFailure("cannot read \(file): it is not UTF-8 text") }
            return text
        }

        /// Why the configuration at `event` could not start (a syntax error, say), once the
        /// `workers` processor has handled it; `nil` when it started. Gives up after 10 s.
        static func startFailure(of event: Event, client: SpoolClient) async throws -> String? {
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                let workers = try await client.send(.GET, "/processors").arrayValue?.first { $0["name"] == "workers" }
                if let checkpoint = workers?["checkpoint"]?.intValue, checkpoint >= event.position { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let after = try await client.read(event.streamPath, after: event.offset, limit: 1000)
            let failure = after.first {
                $0.type == WorkerSpec.failedType && $0.payload["configOffset"]?.intValue == Int64(event.offset)
                    && $0.payload["sourceOffset"]?.intValue == Int64(event.offset)
            }
            guard let error = failure?.payload["error"]?.stringValue else { return nil }
            return error.hasPrefix("cannot start: ") ? String(error.dropFirst("cannot start: ".count)) : error
        }
    }


    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Stop worker NAME configured on PATH.")

        @Argument(help: "The worker's own stream.", transform: streamPath) var path: StreamPath
        @Argument(help: "The worker's name.") var name: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await reportingErrors {
                let client = options.client
                let deployed = try await deployedWorkers(on: path, client: client)
                guard deployed.contains(name) else {
                    let known = deployed.isEmpty ? "none is" : deployed.sorted().joined(separator: ", ") + (deployed.count == 1 ? " is" : " are")
                    throw CommandFailure("no worker \(name) is deployed on \(path) (\(known))")
                }
                try await client.append(AppendInput(type: "spool/worker-removed", payload: ["name": .string(name)]), to: path)
                print("removed worker:\(name) from \(path)")
            }
        }

        /// The names of the workers configured on `path` now, from the `workers` processor's state.
        private func deployedWorkers(on path: StreamPath, client: SpoolClient) async throws -> [String] {
            let answer: JSONValue
            do {
                answer = try await client.send(.GET, "/state\(path.rawValue)?processor=workers")
            } catch let error as SpoolError where error.code == .streamNotFound {
                return []
            }
            return answer["state"]?["workers"]?.objectValue?.keys ?? []
        }
    }
}
