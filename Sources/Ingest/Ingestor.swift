import Extract
import Foundation
import LogFormats
import PhasecastCore
import Store

/// Runs `phasecast ingest`: takes the run lock, brings the database's schema up to date, and
/// loads each input exactly once, in its own transaction.
public struct Ingestor {
    public let options: IngestOptions
    /// Receives one line per file (and notices) for standard error.
    public let log: @Sendable (String) -> Void
    /// Whether to draw a live progress line.
    public let showProgress: Bool
    /// Hash inputs even when their size and modification time match what was loaded.
    public let rehash: Bool

    public init(
        options: IngestOptions, showProgress: Bool, rehash: Bool = false, log: @escaping @Sendable (String) -> Void
    ) {
        self.options = options
        self.showProgress = showProgress
        self.rehash = rehash
        self.log = log
    }

    /// Loads every input; returns what happened to each. Throws only when the run cannot start
    /// (lock held, database unusable); a bad input fails alone. `afterLoading` runs once the
    /// files are in, still under the run's lock (the CLI transforms there).
    public func run(afterLoading: (Connection) throws -> Void = { _ in }) throws -> IngestReport {
        let started = Date()
        var outcomes: [FileOutcome] = []
        var inputs: [InputFile] = []
        for argument in options.inputs {
            do {
                let found = try InputDiscovery.discover([argument])
                inputs += found.files
                for entry in found.passedOver where options.shard?.holds(entry.path) ?? true {
                    let outcome = FileOutcome(
                        path: entry.path, status: .skipped, format: nil, rows: 0, rejected: 0, skippedLines: 0,
                        bytes: 0,
                        uncompressedBytes: 0, seconds: 0, message: entry.reason, exitCode: 0)
                    outcomes.append(outcome)
                    log(Self.summary(outcome))
                }
                for problem in found.problems {
                    outcomes.append(Self.unreadable(problem.path, problem))
                    log("FAILED   \(problem.description)")
                }
            } catch {
                outcomes.append(Self.unreadable(argument, error))
                log("FAILED   \(error.description)")
            }
        }
        if let shard = options.shard {
            let files = inputs.filter { $0.kind == .file }
            inputs = inputs.filter { $0.kind != .file || shard.holds($0.path) }
            log("\(shard): \(inputs.count) of \(files.count) files")
        }
        let lock = try RunLock(databasePath: options.databasePath, waitSeconds: options.waitSeconds)
        defer { withExtendedLifetime(lock) {} }
        let connection = try Connection(path: options.databasePath)
        connection.setBusyTimeout(milliseconds: Int32(min(max(options.waitSeconds, 30), 3600) * 1000))
        try Migrator.migrate(connection)
        let runID = try beginRun(connection)

        let registry = SourceFileRegistry(connection: connection)
        let plans = try plan(inputs, registry: registry, outcomes: &outcomes)
        let loader = try FileLoader(
            connection: connection, options: options, runID: runID,
            progressLine: showProgress ? ProgressLine() : nil)
        let loads = plans.compactMap { step -> FileLoader.Plan? in
            if case .load(let plan) = step { plan } else { nil }
        }
        var loadsStarted = 0
        for plan in plans {
            if case .skip(let outcome) = plan {
                outcomes.append(outcome)
                log(Self.summary(outcome))
                continue
            }
            guard case .load(let loadPlan) = plan else { continue }
            loadsStarted += 1
            // The next file is read and parsed while this one is written.
            let outcome = loader.load(loadPlan, next: loadsStarted < loads.count ? loads[loadsStarted] : nil)
            outcomes.append(outcome)
            log(Self.summary(outcome))
        }
        loader.discardPrepared()
        try afterLoading(connection)
        var pruned: Int64 = 0
        if let days = options.rawRetentionDays {
            pruned = try RawRetention.prune(connection, keepDays: days)
            if pruned > 0 {
                log("pruned   \(pruned) raw request rows older than \(days) days before the newest request")
            }
        }
        let worst = outcomes.map(\.exitStatus).max() ?? .ok
        let report = IngestReport(
            databasePath: options.databasePath, files: outcomes, rawRowsPruned: pruned,
            seconds: Date().timeIntervalSince(started), exitCode: worst.rawValue)
        try finishRun(connection, runID: runID, report: report)
        return report
    }

    /// The quarantined files of another database (`--quarantine-from`), read without writing to
    /// it. A database not there yet (a fleet's first night) quarantines nothing; one written by a
    /// phasecast older than quarantine has none.
    static func quarantine(of path: String) throws -> [Quarantine.Entry] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let connection = try Connection(path: path, readOnly: true)
        connection.setBusyTimeout(milliseconds: 30_000)
        guard try connection.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'quarantined_files'")?.integer == 1
        else { return [] }
        return try Quarantine(connection: connection).list()
    }

    /// What to do with an input.
    enum Step {
        case load(FileLoader.Plan)
        case skip(FileOutcome)
    }

    /// Decides, before loading anything, which inputs are new, changed, renamed or unchanged.
    private func plan(
        _ inputs: [InputFile], registry: SourceFileRegistry, outcomes: inout [FileOutcome]
    ) throws
        -> [Step]
    {
        struct Known {
            var input: InputFile
            var stamp: FileStamp?
            var fingerprint: String?
        }
        var known: [Known] = []
        var seenPaths = Set<String>()
        // Read once: a night meets hundreds of files.
        var entries = try Quarantine(connection: registry.connection).list()
        if let other = options.quarantineFrom { entries += try Self.quarantine(of: other) }
        let quarantined = Quarantine.reasonsByPath(entries)
        for input in inputs {
            if input.kind == .file {
                guard seenPaths.insert(input.path).inserted else { continue }  // named twice
                // Acknowledged as bad: not read, and it does not fail the run.
                if let reason = quarantined[Quarantine.key(input.path)] {
                    outcomes.append(
                        FileOutcome(
                            path: input.path, status: .quarantined, format: nil, rows: 0, rejected: 0, skippedLines: 0,
                            bytes: 0, uncompressedBytes: 0, seconds: 0, message: reason, exitCode: 0))
                    log(Self.summary(outcomes[outcomes.count - 1]))
                    continue
                }
            }
            var item = Known(input: input)
            guard input.kind == .file else {
                known.append(item)
                continue
            }
            item.stamp = FileStamp.of(input.path)
            if !rehash, let stamp = item.stamp, let entry = try registry.entry(path: input.path),
                entry.status == .loaded,
                let rawFingerprint = try Self.unchangedRawFingerprint(entry, stamp, registry.connection)
            {
                item.fingerprint = rawFingerprint
            } else {
                do {
                    item.fingerprint = try Fingerprint.ofFile(input.path).text
                } catch {
                    outcomes.append(Self.unreadable(input.path, error))
                    log("FAILED   \(error.description)")
                    continue
                }
            }
            known.append(item)
        }
        let moves = try registry.followRenames(
            inputs: known.compactMap { item in item.fingerprint.map { (item.input.path, $0) } })
        for move in moves { log("renamed  \(move.from) → \(move.to) (same content; its rows follow it)") }

        var steps: [Step] = []
        for item in known {
            let path = item.input.kind == .standardInput ? standardInputName() : item.input.path
            let existing =
                item.input.kind == .standardInput && options.standardInputName == nil
                ? nil : try registry.entry(path: path)
            if let fingerprint = item.fingerprint,
                let holder = try registry.entryHoldingRows(rawFingerprint: fingerprint)
            {
                var message = holder.alreadyLoadedMessage(asPath: path)
                if holder.path == path && holder.status == .outdated {
                    // The content whose rows the database holds is back at its path (a failed
                    // re-copy was redone): the path is up to date again.
                    try registry.markCurrent(fileID: holder.fileID)
                    message = "its loaded content is back; " + message
                }
                if holder.path == path, let rate = options.sampleRate, rate != holder.sampleRate {
                    try registry.changeSampleRate(fileID: holder.fileID, to: rate)
                    message += "; sample rate \(holder.sampleRate) → \(rate): its days are rolled up again"
                }
                steps.append(
                    .skip(
                        FileOutcome(
                            path: path, status: .skipped, format: nil, rows: 0, rejected: 0, skippedLines: 0,
                            bytes: item.stamp?.size ?? 0, uncompressedBytes: 0, seconds: 0, message: message,
                            exitCode: 0)))
                continue
            }
            steps.append(
                .load(
                    FileLoader.Plan(
                        input: item.input, registryPath: path, stamp: item.stamp, rawFingerprint: item.fingerprint,
                        existing: existing)))
        }
        return steps
    }

    /// The recorded fingerprint of a loaded file's bytes, when its size and modification time
    /// are those recorded (so that it need not be read again).
    private static func unchangedRawFingerprint(
        _ entry: RegistryEntry, _ stamp: FileStamp, _ connection: Connection
    )
        throws -> String?
    {
        let row = try connection.queryFirst(
            "SELECT bytes, mtime_ns, raw_fingerprint FROM source_files WHERE file_id = ?", [.integer(entry.fileID)])
        guard let row, try row.optionalInt("bytes") == stamp.size,
            try row.optionalInt("mtime_ns") == stamp.modifiedNanos
        else { return nil }
        return try row.optionalText("raw_fingerprint")
    }

    /// The registry name of standard input: `--name`, or until its content is known a temporary one.
    private func standardInputName() -> String {
        options.standardInputName ?? "stdin:reading-\(UUID().uuidString.prefix(8).lowercased())"
    }

    private static func unreadable(_ path: String, _ error: ExtractError) -> FileOutcome {
        FileOutcome(
            path: path, status: .failed, format: nil, rows: 0, rejected: 0, skippedLines: 0, bytes: 0,
            uncompressedBytes: 0, seconds: 0, message: error.description, exitCode: error.exitStatus.rawValue)
    }

    /// One line per file for standard error.
    static func summary(_ outcome: FileOutcome) -> String {
        switch outcome.status {
        case .loaded, .replaced:
            let rate = outcome.seconds > 0 ? Double(outcome.rows) / outcome.seconds : 0
            var text = outcome.status == .loaded ? "loaded   " : "replaced "
            text += "\(outcome.path) (\(outcome.format ?? "?"), \(outcome.rows) rows, \(outcome.rejected) rejected"
            if outcome.skippedLines > 0 {
                text += ", skipped: " + SkipCount.phrase(outcome.skippedKinds)
            }
            text += String(format: ", %.2f s, ", outcome.seconds) + ProgressLine.compact(rate) + " rows/s)"
            for warning in outcome.warnings { text += "\nWARNING  \(outcome.path): \(warning)" }
            return text
        case .skipped:
            return "skipped  \(outcome.path): \(outcome.message ?? "already loaded")"
        case .failed:
            let message = outcome.message ?? "failed"
            return "FAILED   " + (message.hasPrefix(outcome.path) ? message : "\(outcome.path): \(message)")
        case .quarantined:
            return "quarantined \(outcome.path): \(outcome.message ?? "")"
        }
    }

    private func beginRun(_ connection: Connection) throws -> Int64 {
        try connection.run(
            "INSERT INTO ingest_runs (started_at, arguments) VALUES (?, ?)",
            [.text(SourceFileRegistry.now()), .text(options.commandLine)])
        return connection.lastInsertRowID
    }

    private func finishRun(_ connection: Connection, runID: Int64, report: IngestReport) throws {
        func count(_ status: FileOutcome.Status) -> Int64 {
            Int64(report.files.filter { $0.status == status }.count)
        }
        try connection.run(
            """
            UPDATE ingest_runs SET finished_at = ?, files_loaded = ?, files_skipped = ?, files_failed = ?,
                rows = ?, rejected = ?, exit_code = ?
            WHERE run_id = ?
            """,
            [
                .text(SourceFileRegistry.now()), .integer(count(.loaded) + count(.replaced)), .integer(count(.skipped)),
                .integer(count(.failed)), .integer(report.files.reduce(0) { $0 + $1.rows }),
                .integer(report.files.reduce(0) { $0 + $1.rejected }), .integer(Int64(report.exitCode)),
                .integer(runID),
            ])
    }
}
