/// The package's `Schemas/` and `Pipelines/` files, compiled into the binary by the
/// EmbedResources build plugin. Paths are relative to the package root.
public enum EmbeddedFiles {
    /// The text of the embedded file at `path` (for example `Schemas/0001_ingest.sql`).
    public static func text(at path: String) -> String? {
        contents[path]
    }

    /// Paths of the embedded files under `folder`, sorted.
    public static func paths(under folder: String) -> [String] {
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        return contents.keys.filter { $0.hasPrefix(prefix) }.sorted()
    }
}
