import Foundation

/// The web console's files, compiled into the binary by the `EmbedConsoleAssets` plugin
/// from `Sources/SpoolConsole/Assets`.
public enum ConsoleAssets {
    /// The page served at `/`.
    public static let indexPath = "index.html"

    /// Every asset by its path below `/ui/`.
    public static let byPath: [String: ConsoleAsset] = Dictionary(
        uniqueKeysWithValues: embedded.map { file in
            // The embedder wrote this base64 itself: it always decodes.
            let bytes = Data(base64Encoded: file.base64).map { [UInt8]($0) } ?? []
            return (file.path, ConsoleAsset(path: file.path, bytes: bytes))
        })

    /// The asset at `path` (below `/ui/`), if there is one.
    public static func asset(at path: String) -> ConsoleAsset? { byPath[path] }

    /// The console's HTML page.
    public static var index: ConsoleAsset? { byPath[indexPath] }
}

/// An asset as the embedder writes it into the generated source.
struct EmbeddedFile {
    let path: String
    let base64: String
}
