import ArgumentParser
import Foundation
import PhasecastCore
import Store

/// `phasecast quarantine`: acknowledge a permanently bad log file so that the night stops
/// failing for it.
struct QuarantineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine",
        abstract: "Acknowledge bad log files: not read again, not failing the night, listed in the report.",
        discussion: """
            A corrupt or truncated log that will never be fixed fails every night (65) until it is acknowledged. \
            A quarantined file is passed over by ingest (phasecast ingest and phasecast run) without being read, \
            does not make the run fail, and is listed with its reason under the report's data quality. Paths are \
            kept absolute. Remove it from quarantine to have it read again.

            Examples:
              phasecast quarantine add /var/log/llm-gateway/2026-11-03.jsonl.gz --reason "truncated by a full disk" --db fleet.db
              phasecast quarantine list --db fleet.db
              phasecast quarantine remove /var/log/llm-gateway/2026-11-03.jsonl.gz --db fleet.db
            """,
        subcommands: [Add.self, List.self, Remove.self])

    /// The database option every subcommand takes.
    struct DatabaseOption: ParsableArguments {
        @Option(help: ArgumentHelp("SQLite database.", valueName: "path"))
        var db: String = ProcessInfo.processInfo.environment["PHASECAST_DB"] ?? "phasecast.db"

        /// The database, migrated; a missing one is an error rather than created empty.
        func open() throws -> Connection {
            guard FileManager.default.fileExists(atPath: db) else {
                throw CommandError(message: "\(db): no such database", status: .noInput)
            }
            let connection = try Connection(path: db)
            connection.setBusyTimeout(milliseconds: 30_000)
            try Migrator.migrate(connection)
            return connection
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Quarantine a log file.",
            discussion:
                "Example: phasecast quarantine add logs/2026-11-03.csv.gz --reason \"truncated upstream\" --db fleet.db"
        )

        @Argument(help: ArgumentHelp("The log file, as ingest finds it.", valueName: "path"))
        var path: String

        @Option(help: ArgumentHelp("Why (shown in the report).", valueName: "text"))
        var reason: String = "acknowledged as bad"

        @OptionGroup var database: DatabaseOption

        func run() throws {
            do {
                let connection = try database.open()
                try Quarantine(connection: connection).add(path, reason: reason, at: WallClock.nowISO8601())
                Console.error("quarantined \(Quarantine.key(path)): \(reason)")
            } catch { throw fail(error) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List quarantined files.", discussion: "Example: phasecast quarantine list --db fleet.db --json")

        @OptionGroup var database: DatabaseOption

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() throws {
            let entries: [Quarantine.Entry]
            do { entries = try Quarantine(connection: try database.open()).list() } catch { throw fail(error) }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.keyEncodingStrategy = .convertToSnakeCase
                Console.output(
                    String(decoding: (try? encoder.encode(entries)) ?? Data("[]".utf8), as: UTF8.self) + "\n")
                return
            }
            guard !entries.isEmpty else {
                Console.error("no file is quarantined")
                return
            }
            var table = "| path | reason | since |\n|---|---|---|\n"
            for entry in entries { table += "| \(entry.path) | \(entry.reason) | \(entry.addedAt) |\n" }
            Console.output(table)
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a file out of quarantine: the next ingest reads it again.",
            discussion: "Example: phasecast quarantine remove logs/2026-11-03.csv.gz --db fleet.db")

        @Argument(help: ArgumentHelp("The quarantined log file.", valueName: "path"))
        var path: String

        @OptionGroup var database: DatabaseOption

        func run() throws {
            do {
                guard try Quarantine(connection: try database.open()).remove(path) else {
                    throw CommandError(message: "\(Quarantine.key(path)) is not quarantined", status: .noInput)
                }
                Console.error("removed \(Quarantine.key(path)) from quarantine: the next ingest reads it")
            } catch { throw fail(error) }
        }
    }
}
