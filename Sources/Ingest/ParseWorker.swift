import Extract
import LogFormats
import PhasecastCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The parsing thread's work for one file: tells the format from the first lines (unless
/// forced), then cuts lines, parses them, accumulates minute rollups and hands batches of
/// requests, rejects and rollups to the writer.
struct ParseWorker {
    /// The format to read the file as; nil to detect it.
    let forcedFormat: LogFormat?
    let options: ParseOptions
    /// Whether raw requests are passed on to be stored (`--no-raw` turns it off).
    let keepRaw: Bool
    let events: BoundedQueue<ReadEvent>
    let pool: ChunkPool
    let output: BoundedQueue<WorkerMessage>
    let progress: IngestProgress

    static let requestBatchSize = 16_384
    static let rejectBatchSize = 1024
    /// Lines looked at to tell the format.
    static let detectionLines = 8

    /// Runs to the end of the file or the first failure; always ends with `.finished` or `.failed`
    /// (unless the writer has gone away).
    func run() {
        defer { output.close() }
        var head: [UInt8] = []
        var lines = NonBlankLineCounter()
        var totals: ReadTotals?
        // Gather the first non-blank lines (blank ones do not count: a file may start with many),
        // returning chunks to the pool at once.
        while totals == nil && lines.complete <= Self.detectionLines && head.count <= LineSplitter.defaultMaxLineBytes {
            guard let event = events.pop() else { return }
            switch event {
            case .chunk(let chunk):
                head.append(contentsOf: chunk.bytes)
                lines.feed(chunk.bytes)
                pool.give(chunk)
            case .end(let end): totals = end
            case .failed(let error):
                output.push(.failed(.extract(error)))
                return
            }
        }
        let firstLines = Self.firstNonBlankLines(head, limit: Self.detectionLines)
        if firstLines.isEmpty && totals == nil {
            // Only blank lines as far as a line may reach, and more to come: a first line cannot be
            // found, and "no rows" must not be decided from a prefix.
            output.push(
                .failed(
                    .content(
                        "no log line in the first \(head.count >> 20) MiB (only blank lines, or a first line over 32 MiB); the file was not read further"
                    )))
            return
        }
        let format: LogFormat
        if let forcedFormat {
            format = forcedFormat
        } else if firstLines.isEmpty {
            format = .csv  // an empty file: nothing to parse, any format will do
        } else {
            let detection = firstLines.withUnsafeBufferPointers { FormatDetector.classify(lines: $0) }
            let shown = firstLines[0].withUnsafeBytes { ByteParsing.display($0, limit: 80) }
            switch detection {
            case .format(let detected): format = detected
            case .ambiguous(let formats):
                output.push(.failed(.setup(.ambiguous(formats: formats.map(\.rawValue), firstLine: shown))))
                return
            case .unknown:
                let looksLikeRecords = firstLines[0].withUnsafeBytes(FormatDetector.looksLikeRecord)
                output.push(
                    .failed(.setup(looksLikeRecords ? .undetected(firstLine: shown) : .notALog(firstLine: shown))))
                return
            }
        }
        if firstLines.isEmpty {
            // No lines at all: finish without a parser.
            var empty = Run(worker: self, format: format, keepRaw: keepRaw)
            empty.finishWithoutLines(totals: totals)
            return
        }
        let made: Result<SelectedParser, FormatSetupError> = firstLines[0].withUnsafeBytes { first in
            do throws(FormatSetupError) {
                return .success(try format.makeParser(options: options, firstLine: first))
            } catch {
                return .failure(error)
            }
        }
        guard case .success(let selected) = made else {
            if case .failure(let error) = made { output.push(.failed(.setup(error))) }
            return
        }
        var run = Run(worker: self, format: format, keepRaw: keepRaw)
        switch selected {
        case .csv(var parser): run.stream(&parser, head: head, totals: totals)
        case .json(var parser): run.stream(&parser, head: head, totals: totals)
        case .mooncake(var parser): run.stream(&parser, head: head, totals: totals)
        case .mapped(var parser): run.stream(&parser, head: head, totals: totals)
        case .sglang(var parser): run.stream(&parser, head: head, totals: totals)
        case .otlp(var parser): run.stream(&parser, head: head, totals: totals)
        case .cloudwatch(var parser): run.stream(&parser, head: head, totals: totals)
        case .usage(var parser): run.stream(&parser, head: head, totals: totals)
        }
    }

    /// Up to `limit` non-blank lines from the start of `head` (a last line without a break included).
    static func firstNonBlankLines(_ head: [UInt8], limit: Int) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        let splitter = LineSplitter()
        head.withUnsafeBytes { bytes in
            splitter.begin(bytes)
            while lines.count < limit, let line = splitter.next() ?? splitter.finish() {
                if case .text(let text, _) = line, ByteParsing.trimmed(text).count > 0 { lines.append(Array(text)) }
            }
        }
        return lines
    }
}

extension Array where Element == [UInt8] {
    /// Calls `body` with buffers over each element's bytes.
    func withUnsafeBufferPointers<R>(_ body: ([UnsafeRawBufferPointer]) -> R) -> R {
        func nest(_ index: Int, _ collected: [UnsafeRawBufferPointer]) -> R {
            if index == count { return body(collected) }
            return self[index].withUnsafeBytes { nest(index + 1, collected + [$0]) }
        }
        return nest(0, [])
    }
}

extension ParseWorker {
    /// The state of one file's parse: counts, the batch being filled, the rollups.
    struct Run {
        let worker: ParseWorker
        let format: LogFormat
        let keepRaw: Bool
        var models: ModelNames
        var modelsSent = 0
        var batch: [ParsedRequest] = []
        var rejects: [RejectRecord] = []
        var sampleRejects: [RejectRecord] = []
        let rollups = MinuteRollups()
        var rows: Int64 = 0
        var rejected: Int64 = 0
        var skippedByKind: [SkipKind: Int64] = [:]
        /// Read once: reaching into `worker.options` per request would copy the options.
        let maxTokensPerRequest: Int64
        var firstMicros = Int64.max
        var lastMicros = Int64.min
        var fileError: String?
        /// False once the writer stopped listening.
        var writerListening = true

        init(worker: ParseWorker, format: LogFormat, keepRaw: Bool) {
            self.worker = worker
            self.format = format
            self.keepRaw = keepRaw
            models = ModelNames(fallback: worker.options.defaultModel)
            maxTokensPerRequest = worker.options.maxTokensPerRequest
            if keepRaw { batch.reserveCapacity(ParseWorker.requestBatchSize) }
        }

        private mutating func send(_ message: WorkerMessage) {
            guard writerListening else { return }
            if !worker.output.push(message) {
                writerListening = false
                worker.events.cancel()
                worker.pool.close()
            }
        }

        private mutating func sendNewModels() {
            guard models.names.count > modelsSent else { return }
            send(.models(Array(models.names[modelsSent...])))
            modelsSent = models.names.count
        }

        @inline(__always)
        private mutating func accept(_ request: ParsedRequest, keepRaw rawRow: Bool = true) {
            rows += 1
            if request.micros < firstMicros { firstMicros = request.micros }
            if request.micros > lastMicros { lastMicros = request.micros }
            rollups.add(request)
            if rollups.isFull {
                sendNewModels()
                send(.rollups(rollups.drain()))
            }
            if keepRaw && rawRow {
                batch.append(request)
                if batch.count == ParseWorker.requestBatchSize {
                    sendNewModels()
                    send(.requests(batch))
                    batch = []
                    batch.reserveCapacity(ParseWorker.requestBatchSize)
                    worker.progress.rowsParsed.store(rows, ordering: .relaxed)
                }
            } else if rows & 0xFFFF == 0 {
                worker.progress.rowsParsed.store(rows, ordering: .relaxed)
            }
        }

        private mutating func reject(_ line: Int64, _ reason: String, _ bytes: UnsafeRawBufferPointer) {
            rejected += 1
            let record = RejectRecord(line: line, reason: reason, excerpt: RejectRecord.excerpt(of: bytes))
            if sampleRejects.count < 5 { sampleRejects.append(record) }
            rejects.append(record)
            if rejects.count == ParseWorker.rejectBatchSize {
                send(.rejects(rejects))
                rejects = []
            }
        }

        private mutating func rejectTooLong(_ line: Int64) {
            let limit = LineSplitter.defaultMaxLineBytes >> 20
            rejected += 1
            let record = RejectRecord(line: line, reason: "line is longer than \(limit) MiB", excerpt: "")
            if sampleRejects.count < 5 { sampleRejects.append(record) }
            rejects.append(record)
        }

        @inline(__always)
        private mutating func handle<P: LogLineParser>(
            _ parser: inout P, _ line: UnsafeRawBufferPointer, _ number: Int64, _ request: inout ParsedRequest
        ) {
            if line.count == 0 || (ByteParsing.isBlank(line)) { return }
            switch parser.parse(line, number: number, into: &request, models: &models) {
            case .accepted: acceptPlausible(request, line)
            case .acceptedSeveral:
                acceptPlausible(request, line)
                for extra in parser.takeExtraRequests() { acceptPlausible(extra, line) }
            case .aggregated:
                for aggregate in parser.takeAggregates() {
                    aggregate.spreadEvenly { acceptPlausible($0, line, keepRaw: false) }
                }
            case .ignored, .deferred: break
            case .skipped(let kind): skip(kind)
            case .rejected(let reason): reject(number, reason, line)
            case .fileError(let message): fileError = message
            }
        }

        /// Accepts a request under the plausibility ceiling, rejects it above. Requests spread
        /// from usage totals have no raw row (`keepRaw: false`): they were never logged one by one.
        @inline(__always)
        private mutating func acceptPlausible(
            _ request: ParsedRequest, _ line: UnsafeRawBufferPointer, keepRaw: Bool = true
        ) {
            let ceiling = maxTokensPerRequest
            if request.prompt > ceiling || request.output > ceiling {
                let what = request.prompt > ceiling ? "\(request.prompt) prompt" : "\(request.output) output"
                reject(request.line, "\(what) tokens are over the plausibility limit of \(ceiling) per request", line)
            } else {
                accept(request, keepRaw: keepRaw)
            }
        }

        private mutating func skip(_ kind: SkipKind) { skippedByKind[kind, default: 0] += 1 }

        /// Parses what the splitter yields until the current chunk is used up (or, with
        /// `atEnd`, the input's last line).
        @inline(__always)
        private mutating func drain<P: LogLineParser>(
            _ parser: inout P, _ splitter: LineSplitter, _ assembler: RecordAssembler?, atEnd: Bool,
            _ request: inout ParsedRequest
        ) {
            while fileError == nil, let line = atEnd ? splitter.finish() : splitter.next() {
                var piece = line
                if let assembler, case .text(let text, let number) = line {
                    guard let record = assembler.add(text, number: number) else { continue }
                    piece = record
                }
                switch piece {
                case .text(let text, let number): handle(&parser, text, number, &request)
                case .tooLong(let number): rejectTooLong(number)
                }
                if atEnd { break }
            }
            if atEnd, let assembler, fileError == nil, let open = assembler.finish() {
                switch open {
                case .text(let text, let number): handle(&parser, text, number, &request)
                case .tooLong(let number): rejectTooLong(number)
                }
            }
        }

        /// Parses the file: first the bytes already read for detection, then the rest of the chunks.
        mutating func stream<P: LogLineParser>(_ parser: inout P, head: [UInt8], totals: ReadTotals?) {
            let splitter = LineSplitter()
            let assembler = parser.recordsMaySpanLines ? RecordAssembler() : nil
            var request = ParsedRequest.blank
            head.withUnsafeBytes { bytes in
                splitter.begin(bytes)
                drain(&parser, splitter, assembler, atEnd: false, &request)
            }
            var endTotals = totals
            if endTotals != nil { drain(&parser, splitter, assembler, atEnd: true, &request) }
            while endTotals == nil && fileError == nil && writerListening {
                guard let event = worker.events.pop() else { return }
                switch event {
                case .chunk(let chunk):
                    splitter.begin(chunk.bytes)
                    drain(&parser, splitter, assembler, atEnd: false, &request)
                    worker.pool.give(chunk)
                case .end(let end):
                    endTotals = end
                    drain(&parser, splitter, assembler, atEnd: true, &request)
                case .failed(let error):
                    send(.failed(.extract(error)))
                    return
                }
            }
            if let fileError {
                worker.events.cancel()
                worker.pool.close()
                send(.failed(.content(fileError)))
                return
            }
            guard let endTotals, writerListening else { return }
            do {
                while case let held = try parser.releaseHeld(models: &models), !held.isEmpty {
                    // Released after the file was read: no line's bytes are at hand for an excerpt.
                    for request in held { acceptPlausible(request, UnsafeRawBufferPointer(start: nil, count: 0)) }
                }
            } catch {
                send(.failed(.content(error.description)))
                return
            }
            finish(totals: endTotals, warnings: parser.fileWarnings(rows: rows))
        }

        /// Ends a file that had no lines.
        mutating func finishWithoutLines(totals: ReadTotals?) {
            if let totals {
                finish(totals: totals)
                return
            }
            while true {
                guard let event = worker.events.pop() else { return }
                switch event {
                case .chunk(let chunk): worker.pool.give(chunk)
                case .end(let end):
                    finish(totals: end)
                    return
                case .failed(let error):
                    send(.failed(.extract(error)))
                    return
                }
            }
        }

        private mutating func finish(totals: ReadTotals, warnings: [String] = []) {
            if rollups.overflowed {
                send(
                    .failed(.content("a 64-bit sum of a minute rollup overflowed; token counts are implausibly large")))
                return
            }
            var warnings = warnings
            if rows == 0 && totals.decompressedBytes > 0 { warnings.append(noRequestWarning(totals)) }
            sendNewModels()
            if !batch.isEmpty { send(.requests(batch)) }
            if !rejects.isEmpty { send(.rejects(rejects)) }
            if !rollups.isEmpty { send(.rollups(rollups.drain())) }
            worker.progress.rowsParsed.store(rows, ordering: .relaxed)
            send(
                .finished(
                    ParseTotals(
                        format: format, read: totals, rows: rows, rejected: rejected,
                        skippedByKind: skippedByKind, warnings: warnings,
                        firstMicros: rows > 0 ? firstMicros : nil, lastMicros: rows > 0 ? lastMicros : nil,
                        sampleRejects: sampleRejects)))
        }

        /// Says why bytes yielded no request, so that such a file is never a silent success.
        private func noRequestWarning(_ totals: ReadTotals) -> String {
            let skipped = skippedByKind.values.reduce(0, +)
            var why: [String] = []
            if skipped > 0 {
                let kinds = SkipCount.list(skippedByKind).map { "\($0.lines) \($0.kind)" }.joined(separator: ", ")
                why.append("every line skipped (\(kinds))")
            }
            if rejected > 0 { why.append("\(rejected) rejected") }
            if why.isEmpty { why.append("only blank lines or a header") }
            return "no request in \(totals.decompressedBytes) bytes: " + why.joined(separator: ", ")
        }
    }
}

/// Counts the lines of a stream that hold something besides spaces, tabs and carriage returns,
/// over chunks that may cut a line anywhere.
struct NonBlankLineCounter {
    /// Non-blank lines ended by a line break so far.
    private(set) var complete = 0
    /// Whether the line in progress has held a non-blank byte.
    private var current = false

    mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        for byte in bytes {
            switch byte {
            case 0x0A:
                if current { complete += 1 }
                current = false
            case 0x20, 0x09, 0x0D: break
            default: current = true
            }
        }
    }
}
