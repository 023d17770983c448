import Foundation
import PackagePlugin

/// Compiles the package's `Schemas/` and `Pipelines/` text files into the target that uses it,
/// so the `phasecast` binary carries its migrations, SQL models, seeds and pipeline files.
@main
struct EmbedResourcesPlugin: BuildToolPlugin {
    /// Folders of the package root whose text files are embedded.
    static let embeddedFolders = ["Schemas", "Pipelines"]
    static let embeddedExtensions: Set<String> = ["sql", "csv", "toml", "json", "md"]

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        var inputs: [URL] = []
        for folder in Self.embeddedFolders {
            let base = root.appending(path: folder)
            guard
                let walker = FileManager.default.enumerator(
                    at: base, includingPropertiesForKeys: [.isRegularFileKey])
            else { continue }
            for case let url as URL in walker
            where Self.embeddedExtensions.contains(url.pathExtension) {
                inputs.append(url)
            }
        }
        inputs.sort { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedFileContents.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) files of Schemas/ and Pipelines/",
                executable: try context.tool(named: "EmbedResources").url,
                arguments: [root.path, output.path] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output])
        ]
    }
}
