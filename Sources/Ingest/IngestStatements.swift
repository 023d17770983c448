import LogFormats
import Store

/// The prepared statements of a run's hot path, and the model ids they need.
final class IngestStatements {
    let connection: Connection
    let insertRequest: Statement
    /// Inserts `rowsPerInsert` requests at once: one statement run instead of many.
    let insertRequests: Statement
    static let rowsPerInsert = 128
    let insertReject: Statement
    let upsertRollup: Statement
    private let insertModel: Statement
    private let selectModel: Statement
    private var modelIDs: [String: Int64] = [:]

    init(connection: Connection) throws {
        self.connection = connection
        insertRequest = try connection.prepare(
            """
            INSERT INTO requests (file_id, line, ts_us, model_id, prompt_tokens, cached_tokens, output_tokens, status)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """)
        let placeholders = (0..<Self.rowsPerInsert).map { row in
            "(" + (1...8).map { "?\(row * 8 + $0)" }.joined(separator: ", ") + ")"
        }.joined(separator: ", ")
        insertRequests = try connection.prepare(
            """
            INSERT INTO requests (file_id, line, ts_us, model_id, prompt_tokens, cached_tokens, output_tokens, status)
            VALUES \(placeholders)
            """)
        insertReject = try connection.prepare(
            "INSERT OR REPLACE INTO rejects (file_id, line, reason, excerpt) VALUES (?1, ?2, ?3, ?4)")
        upsertRollup = try connection.prepare(
            """
            INSERT INTO request_minutes (file_id, minute, model_id, requests, failed, prompt_tokens, cached_tokens,
                prefill_tokens, prefill_sq, prefill_cached, output_tokens, output_prompt, output_sq,
                prompt_hist, output_hist)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
            ON CONFLICT (minute, model_id, file_id) DO UPDATE SET
                requests = requests + excluded.requests,
                failed = failed + excluded.failed,
                prompt_tokens = prompt_tokens + excluded.prompt_tokens,
                cached_tokens = cached_tokens + excluded.cached_tokens,
                prefill_tokens = prefill_tokens + excluded.prefill_tokens,
                prefill_sq = prefill_sq + excluded.prefill_sq,
                prefill_cached = prefill_cached + excluded.prefill_cached,
                output_tokens = output_tokens + excluded.output_tokens,
                output_prompt = output_prompt + excluded.output_prompt,
                output_sq = output_sq + excluded.output_sq,
                prompt_hist = phasecast_hist_merge(prompt_hist, excluded.prompt_hist),
                output_hist = phasecast_hist_merge(output_hist, excluded.output_hist)
            """)
        insertModel = try connection.prepare("INSERT INTO models (name) VALUES (?1) ON CONFLICT (name) DO NOTHING")
        selectModel = try connection.prepare("SELECT model_id FROM models WHERE name = ?1")
    }

    /// The id of a model name, registering it when new. Ids are cached for the run; a rolled-back
    /// transaction forgets the ones it made (see `forgetUncommittedModels`).
    func modelID(_ name: String) throws -> Int64 {
        if let known = modelIDs[name] { return known }
        insertModel.bind(name, at: 1)
        try insertModel.run()
        selectModel.bind(name, at: 1)
        defer { selectModel.reset() }
        guard try selectModel.step() else {
            throw SQLiteError(code: 1, message: "model \(name) vanished after insert", sql: selectModel.sql)
        }
        let id = selectModel.int64(0)
        modelIDs[name] = id
        return id
    }

    /// After a rollback, model rows inserted in it are gone: drop the cache.
    func forgetUncommittedModels() {
        modelIDs.removeAll()
    }

    /// Inserts a batch of requests of one file; returns the rowids of the first and last row.
    func insert(_ batch: [ParsedRequest], fileID: Int64, modelIDs: [Int64]) throws -> (first: Int64, last: Int64)? {
        guard !batch.isEmpty else { return nil }
        var first: Int64?
        var index = 0
        let many = insertRequests
        while index + Self.rowsPerInsert <= batch.count {
            for row in 0..<Self.rowsPerInsert {
                bind(batch[index + row], to: many, offset: Int32(row * 8), fileID: fileID, modelIDs: modelIDs)
            }
            try many.run()
            // Rows of one INSERT take consecutive rowids; the last one is reported.
            if first == nil { first = connection.lastInsertRowID - Int64(Self.rowsPerInsert) + 1 }
            index += Self.rowsPerInsert
        }
        while index < batch.count {
            bind(batch[index], to: insertRequest, offset: 0, fileID: fileID, modelIDs: modelIDs)
            try insertRequest.run()
            if first == nil { first = connection.lastInsertRowID }
            index += 1
        }
        return (first ?? connection.lastInsertRowID, connection.lastInsertRowID)
    }

    @inline(__always)
    private func bind(
        _ request: ParsedRequest, to statement: Statement, offset: Int32, fileID: Int64, modelIDs: [Int64]
    ) {
        statement.bind(fileID, at: offset + 1)
        statement.bind(request.line, at: offset + 2)
        statement.bind(request.micros, at: offset + 3)
        statement.bind(modelIDs[Int(request.model)], at: offset + 4)
        statement.bind(request.prompt, at: offset + 5)
        statement.bind(request.cached, at: offset + 6)
        statement.bind(request.output, at: offset + 7)
        statement.bind(Int64(request.status.rawValue), at: offset + 8)
    }

    /// Inserts rejected lines of one file.
    func insert(_ rejects: [RejectRecord], fileID: Int64) throws {
        insertReject.bind(fileID, at: 1)
        for reject in rejects {
            insertReject.bind(reject.line, at: 2)
            insertReject.bind(reject.reason, at: 3)
            insertReject.bind(reject.excerpt, at: 4)
            try insertReject.run()
        }
    }

    /// Adds rollup cells of one file, merging with cells already written for it.
    func upsert(_ rows: [RollupRow], fileID: Int64, modelIDs: [Int64]) throws {
        let s = upsertRollup
        s.bind(fileID, at: 1)
        for row in rows {
            s.bind(row.minute, at: 2)
            s.bind(modelIDs[Int(row.model)], at: 3)
            s.bind(row.sums.requests, at: 4)
            s.bind(row.sums.failed, at: 5)
            s.bind(row.sums.prompt, at: 6)
            s.bind(row.sums.cached, at: 7)
            s.bind(row.sums.prefill, at: 8)
            s.bind(row.sums.prefillSquared, at: 9)
            s.bind(row.sums.prefillTimesCached, at: 10)
            s.bind(row.sums.output, at: 11)
            s.bind(row.sums.outputTimesPrompt, at: 12)
            s.bind(row.sums.outputSquared, at: 13)
            s.bind(row.promptHistogram, at: 14)
            s.bind(row.outputHistogram, at: 15)
            try s.run()
        }
    }
}
