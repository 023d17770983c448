import PhasecastCore

/// Reads JSON lines whose request fields sit at the exact paths a `JSONRecordSpec` names: the
/// formats given by `--map`, and the native ones described by a spec (Dynamo, Gemini, Langfuse,
/// flattened OpenTelemetry spans, Claude Code transcripts, Anthropic batch results).
///
/// One scan per line, in the same byte-level scanner as the other JSON formats; each visited
/// scalar is compared with the spec's few paths.
public struct MappedJSONParser: LogLineParser {
    /// All state lives in one object, so that the per-line calls pass a reference, not a large
    /// struct that the compiler would copy.
    private let reader: MappedJSONReader

    public init(spec: JSONRecordSpec, options: ParseOptions) {
        reader = MappedJSONReader(spec: spec, options: options)
    }

    @inline(__always)
    public mutating func parse(
        _ line: UnsafeRawBufferPointer, number: Int64, into request: inout ParsedRequest, models: inout ModelNames
    ) -> LineVerdict {
        reader.parse(line, number: number, into: &request, models: &models)
    }

    public mutating func releaseHeld(models: inout ModelNames) throws(HeldRequestsError) -> [ParsedRequest] {
        reader.finish()
    }

    public func fileWarnings(rows: Int64) -> [String] { reader.fileWarnings(rows: rows) }
}

/// The parsing of `MappedJSONParser`, with its layout and its state.
final class MappedJSONReader {
    private let spec: JSONRecordSpec
    private let scanner = JSONLineScanner()
    private let paths: [JSONFieldPath]
    private let compiled: CompiledFieldPaths
    private let slots: SlotBuffer
    // Indexes into `paths` per role, in buffers of plain integers, so that reading them per line
    // takes no reference counting.
    private let time: Indexes
    private let prompt: Alternatives
    private let uncached: Alternatives
    private let cacheWritten: Alternatives
    private let output: Alternatives
    private let cached: Alternatives
    private let model: Indexes
    private let status: Indexes
    private let id: Indexes
    private let filters: [(index: Int, values: [[UInt8]])]
    private let hasFilters: Bool
    private var allocations: [UnsafeMutableRawPointer] = []

    /// Indexes of paths, the first present of which is read.
    struct Indexes {
        let base: UnsafeMutablePointer<Int>
        let count: Int
        var isEmpty: Bool { count == 0 }
    }

    /// Ways to read a count, each the sum of some paths: the first with a value present is used.
    struct Alternatives {
        let base: UnsafeMutablePointer<Indexes>
        let count: Int
        var isEmpty: Bool { count == 0 }
    }

    // The spec's and options' scalars, read once: the per-line path never reaches into the
    // structs that hold arrays (reaching in can copy them, with a retain per array).
    private let defaultModel: String
    private let start: Int64?
    private let fileTime: Int64?
    private let timeUnit: TimeUnit?
    private let offsetsFromStart: Bool
    private let timeFromFile: Bool
    private let outputMayBeAbsent: Bool
    private let missingUsageSkip: SkipKind?
    private let filterSkip: SkipKind

    /// The request held back while later lines may repeat its id, and that id's hash.
    private var pending: ParsedRequest?
    private var pendingID: UInt64 = 0
    /// Hashes of the ids of requests already emitted.
    private var seenIDs = Set<UInt64>()
    /// Lines dated by the file rather than by a time of their own.
    private var datedByFile: Int64 = 0
    /// Whether any line had a cached-token field, for the file's plausibility check.
    private var sawCachedField = false

    init(spec: JSONRecordSpec, options: ParseOptions) {
        self.spec = spec
        let paths = spec.allPaths
        self.paths = paths
        compiled = CompiledFieldPaths(paths)
        defaultModel = options.defaultModel
        start = options.start
        fileTime = options.fileTime
        timeUnit = spec.timeUnit
        offsetsFromStart = spec.offsetsFromStart
        timeFromFile = spec.timeFromFile
        outputMayBeAbsent = spec.outputMayBeAbsent
        missingUsageSkip = spec.missingUsageSkip
        filterSkip = spec.filterSkip
        slots = SlotBuffer(count: paths.count)
        // `allPaths` holds every path of the spec, so each is found.
        func index(_ path: JSONFieldPath) -> Int { paths.firstIndex(of: path) ?? 0 }
        var allocated: [UnsafeMutableRawPointer] = []
        func indexes(_ list: [JSONFieldPath]) -> Indexes {
            let base = UnsafeMutablePointer<Int>.allocate(capacity: max(list.count, 1))
            for (k, path) in list.enumerated() { base[k] = index(path) }
            allocated.append(UnsafeMutableRawPointer(base))
            return Indexes(base: base, count: list.count)
        }
        func alternatives(_ list: [JSONRecordSpec.Sum]) -> Alternatives {
            let base = UnsafeMutablePointer<Indexes>.allocate(capacity: max(list.count, 1))
            for (k, sum) in list.enumerated() { (base + k).initialize(to: indexes(sum)) }
            allocated.append(UnsafeMutableRawPointer(base))
            return Alternatives(base: base, count: list.count)
        }
        time = indexes(spec.time)
        prompt = alternatives(spec.prompt)
        uncached = alternatives(spec.uncachedPrompt)
        cacheWritten = alternatives(spec.cacheWritten)
        output = alternatives(spec.output)
        cached = alternatives(spec.cached)
        model = indexes(spec.model)
        status = indexes(spec.status)
        id = indexes(spec.id)
        filters = spec.filters.map { (index($0.path), $0.values.map { Array($0.utf8) }) }
        hasFilters = !filters.isEmpty
        allocations = allocated
    }

    deinit {
        for allocation in allocations { allocation.deallocate() }
    }

    func parse(
        _ line: UnsafeRawBufferPointer, number: Int64, into request: inout ParsedRequest, models: inout ModelNames
    ) -> LineVerdict {
        slots.reset()
        var visitor = Visitor(paths: compiled, slots: slots.base, line: line)
        if let error = scanner.scan(line, visitor: &visitor) {
            if line.count == 1 || line.count == 2 {
                return .rejected("\(error.reason); the file looks pretty-printed: write one record per line (jq -c)")
            }
            return .rejected(error.reason)
        }
        for filter in hasFilters ? filters : [] {
            guard let value = value(filter.index, line), value.kind == .string || value.kind == .number,
                filter.values.contains(where: { ByteParsing.equals(value.bytes, $0) })
            else { return .skipped(filterSkip) }
        }
        var reason: String?
        let statusWord = first(status, line).flatMap { $0.kind == .string || $0.kind == .number ? $0 : nil }
        let outcome = statusWord.map { RequestStatusText.outcome($0.bytes) } ?? .served
        let promptSums = uncached.isEmpty ? prompt : uncached
        let outputCount: Int64
        if let count = sum(output, line, "output tokens", &reason) {
            outputCount = count
        } else if reason == nil && outputMayBeAbsent && present(promptSums, line) {
            outputCount = 0
        } else {
            if let reason { return .rejected(reason) }
            if let kind = missingUsageSkip, !present(promptSums, line), outcome == .served {
                return .skipped(kind)
            }
            return skipOrReject(outcome, missing: "no output tokens (\(describe(spec.output)))")
        }
        let cachedCount = sum(cached, line, "cached tokens", &reason) ?? 0
        if !sawCachedField && !cached.isEmpty && present(cached, line) { sawCachedField = true }
        var promptCount: Int64
        if !uncached.isEmpty {
            guard let computed = sum(uncached, line, "prompt tokens", &reason) else {
                if let reason { return .rejected(reason) }
                return skipOrReject(outcome, missing: "no prompt tokens (\(describe(spec.uncachedPrompt)))")
            }
            let written = sum(cacheWritten, line, "cache write tokens", &reason) ?? 0
            promptCount = computed + cachedCount + written
        } else {
            guard let total = sum(prompt, line, "prompt tokens", &reason) else {
                if let reason { return .rejected(reason) }
                return skipOrReject(outcome, missing: "no prompt tokens (\(describe(spec.prompt)))")
            }
            promptCount = total
        }
        if let reason { return .rejected(reason) }
        guard FieldReading.checkCached(cachedCount, prompt: promptCount, reason: &reason) else {
            return .rejected(reason ?? "cached tokens exceed the prompt tokens")
        }
        guard let micros = timestamp(line, &reason) else { return .rejected(reason ?? "unreadable timestamp") }
        let modelIndex = models.index(of: first(model, line), orElse: defaultModel)
        let parsed = ParsedRequest(
            micros: micros, prompt: promptCount, cached: cachedCount, output: outputCount, model: modelIndex,
            status: outcome == .failed ? .failed : .ok, line: number)
        guard let idValue = first(id, line), idValue.bytes.count > 0 else {
            request = parsed
            return .accepted
        }
        return merge(parsed, id: ContentHash.of(bytes: idValue.bytes), into: &request)
    }

    /// Repeats of one id: adjacent ones merge into the held request (each count the largest
    /// seen, as streamed records grow), later ones are dropped; both count as duplicates.
    private func merge(
        _ parsed: ParsedRequest, id hash: UInt64, into request: inout ParsedRequest
    )
        -> LineVerdict
    {
        if var held = pending, pendingID == hash {
            held.prompt = max(held.prompt, parsed.prompt)
            held.cached = max(held.cached, parsed.cached)
            held.output = max(held.output, parsed.output)
            pending = held
            return .skipped(.duplicate)
        }
        guard seenIDs.insert(hash).inserted else { return .skipped(.duplicate) }
        let released = pending
        pending = parsed
        pendingID = hash
        guard let released else { return .deferred }
        request = released
        return .accepted
    }

    func finish() -> [ParsedRequest] {
        defer { pending = nil }
        return pending.map { [$0] } ?? []
    }

    func fileWarnings(rows: Int64) -> [String] {
        var warnings: [String] = []
        if datedByFile > 0 {
            let source = start != nil ? "--start" : "the file's modification time"
            warnings.append(
                "\(datedByFile) records carry no time of their own and are dated by \(source): they all fall in one minute, so the file's intraday shape is not real"
            )
        }
        if rows >= 100 && !cached.isEmpty && !sawCachedField {
            warnings.append(
                "no line has a cached-token field (\(describe(spec.cached))): every prompt token is counted as computed; if the records carry cached tokens elsewhere, map them with --map cached=PATH"
            )
        }
        return warnings
    }

    // MARK: Reading slots

    private func skipOrReject(_ outcome: RequestStatusText.Outcome, missing: String) -> LineVerdict {
        switch outcome {
        case .unfinished: .skipped(.unfinished)
        case .cancelled: .skipped(.cancelled)
        case .failed: .skipped(.failed)
        case .served: .rejected(missing)
        }
    }

    @inline(__always)
    private func value(_ index: Int, _ line: UnsafeRawBufferPointer) -> JSONValue? {
        slots.base[index].value(in: line)
    }

    private func first(_ indexes: Indexes, _ line: UnsafeRawBufferPointer) -> JSONValue? {
        for k in 0..<indexes.count {
            if let value = value(indexes.base[k], line), value.kind != .null { return value }
        }
        return nil
    }

    private func present(_ sums: Alternatives, _ line: UnsafeRawBufferPointer) -> Bool {
        for a in 0..<sums.count {
            let alternative = sums.base[a]
            for k in 0..<alternative.count {
                if let value = value(alternative.base[k], line), value.kind != .null { return true }
            }
        }
        return false
    }

    /// The count of the first alternative with a value present; nil without a reason when none is.
    private func sum(
        _ sums: Alternatives, _ line: UnsafeRawBufferPointer, _ label: StaticString, _ reason: inout String?
    ) -> Int64? {
        for a in 0..<sums.count {
            let alternative = sums.base[a]
            var total: Int64 = 0
            var found = false
            for k in 0..<alternative.count {
                let index = alternative.base[k]
                guard let value = value(index, line), value.kind != .null else { continue }
                guard value.kind == .number || value.kind == .string else {
                    reason = "\(label) (\(paths[index])) is not a number"
                    return nil
                }
                guard let count = FieldReading.count(value.bytes, label, reason: &reason) else { return nil }
                let (added, overflow) = total.addingReportingOverflow(count)
                guard !overflow else {
                    reason = "\(label) overflow a 64-bit sum"
                    return nil
                }
                total = added
                found = true
            }
            if found { return total }
        }
        return nil
    }

    private func timestamp(_ line: UnsafeRawBufferPointer, _ reason: inout String?) -> Int64? {
        guard let value = first(time, line) else {
            if timeFromFile, let fallback = start ?? fileTime {
                datedByFile += 1
                return fallback
            }
            reason =
                timeFromFile
                ? "no time (\(spec.time.map(\.text).joined(separator: ", "))); pass --start to date such records"
                : "no timestamp (\(spec.time.map(\.text).joined(separator: ", ")))"
            return nil
        }
        if offsetsFromStart, let start {
            return FieldReading.relativeInstant(
                value.bytes, unit: timeUnit ?? .seconds, start: start, reason: &reason)
        }
        if value.kind == .number || (value.kind == .string && ByteParsing.plainDigits(value.bytes) != nil),
            let unit = timeUnit
        {
            return FieldReading.epochInstant(value.bytes, unit: unit, reason: &reason)
        }
        return FieldReading.anyInstant(value, reason: &reason)
    }

    private func describe(_ sums: [JSONRecordSpec.Sum]) -> String {
        sums.map { $0.map(\.text).joined(separator: "+") }.joined(separator: " or ")
    }

    // MARK: The walk

    private struct Visitor: JSONVisitor {
        unowned(unsafe) let paths: CompiledFieldPaths
        let slots: UnsafeMutablePointer<JSONUsageFields.Slot>
        let line: UnsafeRawBufferPointer

        @inline(__always)
        mutating func visit(_ path: JSONPath, _ value: JSONValue) {
            for index in 0..<paths.count where !slots[index].isPresent && paths.matches(index, path) {
                slots[index].offer(value, depth: path.depth, line: line)
            }
        }
    }

    /// The slots of one line, allocated once per file.
    private final class SlotBuffer: @unchecked Sendable {
        let base: UnsafeMutablePointer<JSONUsageFields.Slot>
        let count: Int

        init(count: Int) {
            self.count = count
            base = .allocate(capacity: max(count, 1))
            base.initialize(repeating: JSONUsageFields.Slot(), count: max(count, 1))
        }

        @inline(__always)
        func reset() {
            for index in 0..<count { base[index] = JSONUsageFields.Slot() }
        }

        deinit { base.deallocate() }
    }
}
