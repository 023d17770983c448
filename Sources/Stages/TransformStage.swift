import CostModel
import Foundation
import PhasecastCore
import Store
import Transform

/// The transform stage (`phasecast transform`, and the end of `phasecast ingest`): load the
/// seeds, apply the day boundary and the deployment profiles, and run the SQL models.
public struct TransformStage {
    public struct Options {
        public var full = false
        public var modelsDirectory: String?
        /// Replaces the default profile when given.
        public var profile: DeploymentProfile?
        public var measuredProfilePath: String?
        /// Minutes east of UTC where days begin; nil keeps the stored setting.
        public var utcOffsetMinutes: Int?
        /// Profiles a pipeline file declares: they replace every stored profile but `default`.
        public var declaredProfiles: [StoredProfile]?

        public init() {}
    }

    let connection: Connection
    let options: Options

    public init(connection: Connection, options: Options) {
        self.connection = connection
        self.options = options
    }

    /// Runs the models; the seeds and profiles are in place when it returns.
    public func run() throws -> Transformer.Summary {
        try SeedLoader.loadBundled(into: connection)
        var full = options.full
        if let offset = options.utcOffsetMinutes, offset != (try Transformer.utcOffsetMinutes(connection)) {
            try connection.run(
                "INSERT INTO settings (key, value) VALUES ('utc_offset_minutes', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [.text(String(offset))])
            full = true  // every hour and day moves
        }
        try ProfileTable.storeDefault(options.profile, measuredPath: options.measuredProfilePath, in: connection)
        if let declared = options.declaredProfiles { try ProfileTable.storeDeclared(declared, in: connection) }
        let models = try options.modelsDirectory.map { try Transformer.models(in: $0) } ?? Transformer.bundledModels()
        return try Transformer(connection: connection, models: models).run(full: full)
    }
}
