import Foundation
import PackagePlugin

/// Compiles the web console's files (`Assets/` of the target) into a generated Swift
/// source, so the `spool` binary carries them: no resource bundle to ship beside it.
@main
struct EmbedConsoleAssets: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        // `Target.directoryURL` needs tools version 6.1; targets live in the default `Sources/NAME`.
        let assets = context.package.directoryURL.appending(path: "Sources/\(target.name)/Assets")
        let output = context.pluginWorkDirectoryURL.appending(path: "ConsoleAssets+Embedded.swift")
        return [
            .buildCommand(
                displayName: "Embedding the web console's assets",
                executable: try context.tool(named: "ConsoleAssetEmbedder").url,
                arguments: [assets.path(), output.path()],
                inputFiles: try Self.files(under: assets),
                outputFiles: [output])
        ]
    }

    /// Every regular file below `directory`, so editing or adding an asset re-runs the embedder.
    static func files(under directory: URL) throws -> [URL] {
        guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
        else { return [] }
        return try enumerator.compactMap { item in
            guard let url = item as? URL, try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else {
                return nil
            }
            return url
        }
    }
}
