import PhasecastCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads SGLang request logs (`--log-requests`): each `Finish:` line's `meta_info` holds the
/// request's `prompt_tokens` (cached included), `completion_tokens` and `cached_tokens`, after a
/// `[YYYY-MM-DD HH:MM:SS …]` prefix. The other lines of a server log (`Receive:`, batch
/// statistics) are not requests. JSON lines with a top-level `meta_info` read the same fields.
///
/// SGLang prints its local time without a zone; it is read as UTC (run the server with
/// `TZ=UTC`, or the times shift by the zone's offset).
public struct SGLangRequestParser: LogLineParser {
    private let options: ParseOptions
    private var json: MappedJSONParser

    public init(options: ParseOptions) {
        self.options = options
        json = MappedJSONParser(spec: .sglangJSON, options: options)
    }

    /// Whether a text line is a request's `Finish:` line.
    public static func isFinishLine(_ line: UnsafeRawBufferPointer) -> Bool {
        guard line.count > 22, line[0] == UInt8(ascii: "[") else { return false }
        return find("] Finish: ", in: line) != nil && find("'prompt_tokens': ", in: line) != nil
    }

    public mutating func parse(
        _ line: UnsafeRawBufferPointer, number: Int64, into request: inout ParsedRequest, models: inout ModelNames
    ) -> LineVerdict {
        let trimmed = ByteParsing.trimmed(line)
        if trimmed.count > 0 && trimmed[0] == UInt8(ascii: "{") {
            return json.parse(trimmed, number: number, into: &request, models: &models)
        }
        guard Self.find("] Finish: ", in: trimmed) != nil else { return .skipped(.notARequest) }
        guard trimmed.count > 20, trimmed[0] == UInt8(ascii: "[") else {
            return .rejected("a Finish line without its [YYYY-MM-DD HH:MM:SS] prefix")
        }
        var reason: String?
        let stamp = UnsafeRawBufferPointer(rebasing: trimmed[1..<20])
        guard let micros = FieldReading.isoInstant(stamp, reason: &reason) else {
            return .rejected(reason ?? "unreadable time")
        }
        guard let meta = Self.find("'meta_info': ", in: trimmed) else { return .rejected("no meta_info") }
        let rest = UnsafeRawBufferPointer(rebasing: trimmed[meta...])
        guard let prompt = Self.number(after: "'prompt_tokens': ", in: rest, "prompt_tokens", &reason) else {
            return .rejected(reason ?? "no 'prompt_tokens' in meta_info")
        }
        guard let output = Self.number(after: "'completion_tokens': ", in: rest, "completion_tokens", &reason) else {
            return .rejected(reason ?? "no 'completion_tokens' in meta_info")
        }
        let cached = Self.number(after: "'cached_tokens': ", in: rest, "cached_tokens", &reason) ?? 0
        if let reason { return .rejected(reason) }
        guard FieldReading.checkCached(cached, prompt: prompt, reason: &reason) else {
            return .rejected(reason ?? "cached tokens exceed the prompt tokens")
        }
        let aborted = Self.find("'finish_reason': {'type': 'abort'", in: rest) != nil
        request = ParsedRequest(
            micros: micros, prompt: prompt, cached: cached, output: output,
            model: models.index(of: options.defaultModel), status: aborted ? .failed : .ok, line: number)
        return .accepted
    }

    public mutating func releaseHeld(models: inout ModelNames) throws(HeldRequestsError) -> [ParsedRequest] {
        try json.releaseHeld(models: &models)
    }

    /// The whole number after `label`; nil with no reason when the label is absent.
    private static func number(
        after label: StaticString, in bytes: UnsafeRawBufferPointer, _ name: StaticString, _ reason: inout String?
    ) -> Int64? {
        guard let start = find(label, in: bytes) else { return nil }
        var end = start + label.utf8CodeUnitCount
        while end < bytes.count && bytes[end] >= UInt8(ascii: "0") && bytes[end] <= UInt8(ascii: "9") { end += 1 }
        let digits = UnsafeRawBufferPointer(rebasing: bytes[(start + label.utf8CodeUnitCount)..<end])
        return FieldReading.count(digits, name, reason: &reason)
    }

    /// Where `needle` first occurs in `bytes`.
    static func find(_ needle: StaticString, in bytes: UnsafeRawBufferPointer) -> Int? {
        let length = needle.utf8CodeUnitCount
        guard length > 0, bytes.count >= length, let base = bytes.baseAddress else { return nil }
        let first = needle.utf8Start[0]
        var at = 0
        while at + length <= bytes.count {
            guard let hit = memchr(base + at, Int32(first), bytes.count - length + 1 - at) else { return nil }
            let offset = UnsafeRawPointer(hit) - base
            if memcmp(base + offset, needle.utf8Start, length) == 0 { return offset }
            at = offset + 1
        }
        return nil
    }
}

extension JSONRecordSpec {
    /// SGLang's JSON request events: `meta_info` as in the text log's Finish lines.
    static let sglangJSON: JSONRecordSpec = {
        var spec = JSONRecordSpec(
            time: paths("timestamp", "time", "created_time"), prompt: sums(["meta_info.prompt_tokens"]),
            output: sums(["meta_info.completion_tokens"]), cached: sums(["meta_info.cached_tokens"]),
            model: paths("model"), id: paths("meta_info.id", "rid"))
        spec.missingUsageSkip = .notARequest
        return spec
    }()
}
