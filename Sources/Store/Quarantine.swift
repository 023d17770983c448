import Foundation

/// The files acknowledged as bad (table `quarantined_files`): ingest passes them over, and the
/// night does not fail for them.
public struct Quarantine {
    let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// One quarantined file.
    public struct Entry: Sendable, Equatable, Codable {
        public var path: String
        public var reason: String
        public var addedAt: String
    }

    /// A path as quarantine keys it: absolute and standardized (no `.` or `..`), links kept.
    public static func key(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Quarantines `path` (again: the reason is replaced).
    public func add(_ path: String, reason: String, at time: String) throws {
        try connection.run(
            """
            INSERT INTO quarantined_files (path, reason, added_at) VALUES (?, ?, ?)
            ON CONFLICT (path) DO UPDATE SET reason = excluded.reason, added_at = excluded.added_at
            """, [.text(Self.key(path)), .text(reason), .text(time)])
    }

    /// Takes `path` out of quarantine; false when it was not in it.
    @discardableResult
    public func remove(_ path: String) throws -> Bool {
        try connection.run("DELETE FROM quarantined_files WHERE path = ?", [.text(Self.key(path))])
        return connection.changes > 0
    }

    /// The reason of each quarantined path, for lookups by `key(_:)`; where entries of several
    /// databases name one path, the first one's reason.
    public static func reasonsByPath(_ entries: [Entry]) -> [String: String] {
        Dictionary(entries.map { ($0.path, $0.reason) }, uniquingKeysWith: { first, _ in first })
    }

    /// Every quarantined file, by path.
    public func list() throws -> [Entry] {
        try connection.query("SELECT path, reason, added_at FROM quarantined_files ORDER BY path").map {
            Entry(path: try $0.text("path"), reason: try $0.text("reason"), addedAt: try $0.text("added_at"))
        }
    }
}
