import Extract
import Foundation
import LogFormats
import PhasecastCore
import Store

/// Loads one input in one transaction: its requests, rejects, minute rollups and registry row
/// commit together, or nothing of it does.
///
/// Three threads share a file's work: one reads and inflates, one parses and rolls up
/// (`FilePipeline`), and this one writes to SQLite, so decompression and parsing overlap with
/// inserting. The next file's pipeline starts while this one writes.
final class FileLoader {
    let connection: Connection
    let statements: IngestStatements
    let registry: SourceFileRegistry
    let options: IngestOptions
    let runID: Int64
    let progressLine: ProgressLine?

    static let chunkSize = 1 << 20
    static let chunkCount = 4
    static let messageQueueDepth = 4

    /// The day boundary's offset from UTC, for marking the days a file touches.
    let utcOffsetMinutes: Int64

    init(connection: Connection, options: IngestOptions, runID: Int64, progressLine: ProgressLine?) throws {
        self.connection = connection
        utcOffsetMinutes =
            try connection.utcOffsetMinutes()
        self.statements = try IngestStatements(connection: connection)
        self.registry = SourceFileRegistry(connection: connection)
        self.options = options
        self.runID = runID
        self.progressLine = progressLine
    }

    /// What the caller knows about an input before loading it.
    struct Plan {
        var input: InputFile
        /// The name the registry keeps it under.
        var registryPath: String
        var stamp: FileStamp?
        /// Fingerprint of the bytes on disk, when read before loading.
        var rawFingerprint: String?
        /// The registry entry at that path, if any.
        var existing: RegistryEntry?
    }

    /// The reading and parsing threads of the next input, started while the current one is
    /// written; nil for the input when its file could not be opened (the error is reported on
    /// its turn).
    private var prepared: (registryPath: String, pipeline: Result<FilePipeline, ExtractError>)?

    /// Loads an input and says what became of it. With `next`, the next input's reading and
    /// parsing start at once, alongside this one's writing.
    func load(_ plan: Plan, next: Plan? = nil) -> FileOutcome {
        let started = Date()
        let opened = takePipeline(for: plan)
        if let next { prepared = (next.registryPath, openPipeline(next)) }
        let pipeline: FilePipeline
        switch opened {
        case .success(let running): pipeline = running
        case .failure(let error): return failed(plan, started, .extract(error), totals: nil, format: nil)
        }
        defer { pipeline.stop() }
        progressLine?.begin(name: plan.registryPath, size: pipeline.reader.source.size)
        defer { progressLine?.end() }

        var plan = plan
        do {
            try connection.execute("BEGIN IMMEDIATE")
            if let done = try replanInsideTransaction(&plan, bytes: pipeline.reader.source.size) {
                try connection.execute("ROLLBACK")
                return done
            }
        } catch {
            if connection.inTransaction { try? connection.execute("ROLLBACK") }
            return failed(plan, started, .database(error), totals: nil, format: nil)
        }
        var session = WriteSession(loader: self, plan: plan, pipeline: pipeline)
        let outcome = session.run(started: started)
        if connection.inTransaction {
            // A failure path left the transaction open: undo everything of this file.
            try? connection.execute("ROLLBACK")
            statements.forgetUncommittedModels()
        }
        return outcome
    }

    /// Stops the threads of an input started ahead and not loaded (the run ended before it).
    func discardPrepared() {
        if case .success(let pipeline)? = prepared?.pipeline { pipeline.stop() }
        prepared = nil
    }

    /// The pipeline started ahead for this input, or a new one.
    private func takePipeline(for plan: Plan) -> Result<FilePipeline, ExtractError> {
        if let prepared, prepared.registryPath == plan.registryPath {
            self.prepared = nil
            return prepared.pipeline
        }
        discardPrepared()
        return openPipeline(plan)
    }

    /// Opens an input and starts reading and parsing it.
    private func openPipeline(_ plan: Plan) -> Result<FilePipeline, ExtractError> {
        do throws(ExtractError) {
            let source =
                plan.input.kind == .standardInput
                ? ByteSource(standardInputNamed: plan.registryPath) : try ByteSource(path: plan.input.path)
            return .success(FilePipeline(source: source, plan: plan, options: options))
        } catch {
            return .failure(error)
        }
    }

    /// Reads the registry again now that the write lock is held: a writer that committed since
    /// the run's plan (one not under the run lock) must neither be loaded over nor have its
    /// path's row taken for new. Returns the outcome when its content is in by now.
    private func replanInsideTransaction(_ plan: inout Plan, bytes: Int64?) throws -> FileOutcome? {
        let namedByContent = plan.input.kind == .standardInput && options.standardInputName == nil
        if !namedByContent { plan.existing = try registry.entry(path: plan.registryPath) }
        guard let rawFingerprint = plan.rawFingerprint,
            let holder = try registry.entryHoldingRows(rawFingerprint: rawFingerprint)
        else { return nil }
        let message = holder.alreadyLoadedMessage(asPath: plan.registryPath)
        return FileOutcome(
            path: plan.registryPath, status: .skipped, format: nil, rows: 0, rejected: 0, skippedLines: 0,
            bytes: bytes ?? 0, uncompressedBytes: 0, seconds: 0, message: message, exitCode: 0)
    }

    /// The name the registry keeps an input under, once its fingerprint is known: standard input
    /// without `--name` is named by its content.
    func registryPath(_ plan: Plan, fingerprint: String?) -> String {
        guard plan.input.kind == .standardInput, options.standardInputName == nil else { return plan.registryPath }
        return "stdin:" + (fingerprint ?? "unread")
    }

    /// Records and describes a failure. The file's transaction must already be rolled back.
    func failed(
        _ plan: FileLoader.Plan, _ started: Date, _ failure: FileFailure, totals: ReadTotals?, format: LogFormat?
    ) -> FileOutcome {
        let seconds = Date().timeIntervalSince(started)
        if plan.input.fromDirectory, case .setup(.notALog(let firstLine)) = failure {
            // Found beside the logs, and not one: pass it over without recording a failure.
            return FileOutcome(
                path: plan.registryPath, status: .skipped, format: nil, rows: 0, rejected: 0, skippedLines: 0,
                bytes: totals?.rawBytes ?? 0, uncompressedBytes: totals?.decompressedBytes ?? 0, seconds: seconds,
                message: "not a log (first line \(firstLine): neither JSON nor comma-separated); passed over",
                exitCode: 0)
        }
        let fingerprint = totals?.fingerprint ?? "unknown"
        let path = registryPath(plan, fingerprint: totals?.fingerprint)
        do {
            try registry.recordFailure(
                path: path, fingerprint: fingerprint,
                rawFingerprint: totals?.rawFingerprint ?? plan.rawFingerprint ?? "unknown",
                format: format?.rawValue,
                bytes: totals?.rawBytes ?? plan.stamp?.size ?? 0, uncompressedBytes: totals?.decompressedBytes ?? 0,
                compressed: totals?.compressed ?? false, seconds: seconds, runID: runID,
                message: failure.description)
        } catch {
            // The registry row is a record of the failure; the failure itself is still reported.
        }
        return FileOutcome(
            path: path, status: .failed, format: format?.rawValue, rows: 0, rejected: 0, skippedLines: 0,
            bytes: totals?.rawBytes ?? 0, uncompressedBytes: totals?.decompressedBytes ?? 0, seconds: seconds,
            message: failure.description, exitCode: failure.exitStatus.rawValue)
    }
}

/// The writing side of one file's load, inside its transaction.
private struct WriteSession {
    let loader: FileLoader
    let plan: FileLoader.Plan
    let pipeline: FilePipeline
    var fileID: Int64 = 0
    var modelIDs: [Int64] = []
    var firstRowID: Int64?
    var lastRowID: Int64?
    var rawRows: Int64 = 0
    var lastProgress = Date.distantPast

    init(loader: FileLoader, plan: FileLoader.Plan, pipeline: FilePipeline) {
        self.loader = loader
        self.plan = plan
        self.pipeline = pipeline
    }

    var connection: Connection { loader.connection }

    mutating func run(started: Date) -> FileOutcome {
        do {
            try claimFileID()
        } catch {
            try? connection.execute("ROLLBACK")
            return loader.failed(plan, started, .database(error), totals: nil, format: nil)
        }
        let messages = pipeline.messages
        var outcome: FileOutcome?
        var failure: FileFailure?
        var totals: ParseTotals?
        do {
            while let message = messages.pop() {
                switch message {
                case .models(let names):
                    for name in names { modelIDs.append(try loader.statements.modelID(name)) }
                case .requests(let batch):
                    if let range = try loader.statements.insert(batch, fileID: fileID, modelIDs: modelIDs) {
                        if firstRowID == nil { firstRowID = range.first }
                        lastRowID = range.last
                        rawRows += Int64(batch.count)
                    }
                case .rejects(let rejects):
                    try loader.statements.insert(rejects, fileID: fileID)
                case .rollups(let rows):
                    try loader.statements.upsert(rows, fileID: fileID, modelIDs: modelIDs)
                case .finished(let finished):
                    totals = finished
                case .failed(let why):
                    failure = why
                }
                reportProgress()
            }
        } catch {
            failure = .database(error)
        }
        // Stop the other threads (they stop by themselves after the last message).
        pipeline.stop()

        if failure == nil, let totals {
            do {
                outcome = try commit(totals, started: started)
            } catch {
                failure = .database(error)
            }
        } else if failure == nil {
            failure = .content("reading stopped before the end of the file")
        }
        if let outcome { return outcome }
        try? connection.execute("ROLLBACK")
        loader.statements.forgetUncommittedModels()
        return loader.failed(
            plan, started, failure ?? .content("the file did not load (no reason was recorded)"),
            totals: totals?.read ?? pipeline.partialTotals, format: totals?.format)
    }

    private mutating func reportProgress() {
        guard let line = loader.progressLine else { return }
        let now = Date()
        guard now.timeIntervalSince(lastProgress) >= 0.5 else { return }
        lastProgress = now
        line.update(
            rawBytes: pipeline.progress.rawBytesRead.load(ordering: .relaxed),
            rows: pipeline.progress.rowsParsed.load(ordering: .relaxed))
    }

    /// Takes the path's registry row (emptying what it held) or creates one.
    private mutating func claimFileID() throws {
        if let existing = plan.existing {
            fileID = existing.fileID
            try loader.registry.clearRows(of: existing, utcOffsetMinutes: loader.utcOffsetMinutes)
            return
        }
        try connection.run(
            """
            INSERT INTO source_files (path, fingerprint, raw_fingerprint, status, bytes, uncompressed_bytes, compressed, rows,
                rejected, skipped, raw_rows, loaded_at, load_seconds, run_id)
            VALUES (?, '', '', 'loaded', 0, 0, 0, 0, 0, 0, 0, '', 0, ?)
            """, [.text(plan.registryPath), .integer(loader.runID)])
        fileID = connection.lastInsertRowID
    }

    /// Checks the file against the reject threshold and the registry, then commits it.
    /// Returns nil (after rolling back) when the file must not be kept.
    private func commit(_ totals: ParseTotals, started: Date) throws -> FileOutcome? {
        let options = loader.options
        let counted = totals.rows + totals.rejected
        let seconds = Date().timeIntervalSince(started)
        if totals.rejected > 0 && Double(totals.rejected) > options.maxRejectRate * Double(counted) {
            try connection.execute("ROLLBACK")
            loader.statements.forgetUncommittedModels()
            let share = 100 * Double(totals.rejected) / Double(max(counted, 1))
            var message = "\(plan.registryPath): \(totals.rejected) of \(counted) lines rejected ("
            message += String(format: "%.1f%%", share) + " > "
            message += String(format: "%g%%", options.maxRejectRate * 100) + " allowed by --max-reject-rate)"
            if let first = totals.sampleRejects.first { message += "; first: line \(first.line): \(first.reason)" }
            message += "; nothing from this file was kept"
            return loader.failed(plan, started, .content(message), totals: totals.read, format: totals.format)
        }
        // Content already loaded under another name (standard input, or a copy): keep nothing.
        if let holder = try loader.registry.entryHoldingRows(fingerprint: totals.read.fingerprint),
            holder.fileID != fileID
        {
            try connection.execute("ROLLBACK")
            loader.statements.forgetUncommittedModels()
            return FileOutcome(
                path: loader.registryPath(plan, fingerprint: totals.read.fingerprint), status: .skipped,
                format: totals.format.rawValue, rows: 0, rejected: 0,
                skippedLines: 0, bytes: totals.read.rawBytes, uncompressedBytes: totals.read.decompressedBytes,
                seconds: seconds, message: "same content as \(holder.path), loaded \(holder.loadedAt)", exitCode: 0)
        }
        let stamp = plan.stamp
        let path = loader.registryPath(plan, fingerprint: totals.read.fingerprint)
        try connection.run(
            """
            UPDATE source_files SET path = ?, fingerprint = ?, raw_fingerprint = ?, format = ?, status = 'loaded',
                error = NULL,
                bytes = ?, mtime_ns = ?, uncompressed_bytes = ?, compressed = ?, rows = ?, rejected = ?,
                skipped = ?, raw_rows = ?, first_ts_us = ?, last_ts_us = ?, first_rowid = ?, last_rowid = ?,
                loaded_at = ?, load_seconds = ?, run_id = ?, sample_rate = ?, warnings = ?, aggregated = ?
            WHERE file_id = ?
            """,
            [
                .text(path), .text(totals.read.fingerprint), .text(totals.read.rawFingerprint),
                .text(totals.format.rawValue),
                .integer(totals.read.rawBytes), stamp.map { .integer($0.modifiedNanos) } ?? .null,
                .integer(totals.read.decompressedBytes), .integer(totals.read.compressed ? 1 : 0),
                .integer(totals.rows), .integer(totals.rejected), .integer(totals.skipped), .integer(rawRows),
                totals.firstMicros.map { .integer($0) } ?? .null, totals.lastMicros.map { .integer($0) } ?? .null,
                firstRowID.map { .integer($0) } ?? .null, lastRowID.map { .integer($0) } ?? .null,
                .text(SourceFileRegistry.now()), .real(seconds), .integer(loader.runID),
                .integer(options.sampleRate ?? plan.existing?.sampleRate ?? 1),
                totals.warnings.isEmpty ? .null : .text(totals.warnings.joined(separator: "\n")),
                .integer(totals.format.isAggregate ? 1 : 0), .integer(fileID),
            ])
        // After the registry row holds this content's time span, by which its rollups are found.
        try loader.registry.markDaysDirty(fileID: fileID, utcOffsetMinutes: loader.utcOffsetMinutes)
        for (kind, lines) in totals.skippedByKind.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            try connection.run(
                "INSERT INTO source_file_skips (file_id, kind, lines) VALUES (?, ?, ?)",
                [.integer(fileID), .text(kind.rawValue), .integer(lines)])
        }
        try connection.execute("COMMIT")
        let replaced = plan.existing?.holdsRows == true
        return FileOutcome(
            path: path, status: replaced ? .replaced : .loaded, format: totals.format.rawValue,
            rows: totals.rows, rejected: totals.rejected, skippedLines: totals.skipped, bytes: totals.read.rawBytes,
            uncompressedBytes: totals.read.decompressedBytes, seconds: Date().timeIntervalSince(started),
            message: replaced ? "replaced the rows of its earlier content" : nil, exitCode: 0,
            skippedKinds: SkipCount.list(totals.skippedByKind), warnings: totals.warnings)
    }
}
