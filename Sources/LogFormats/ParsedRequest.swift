import PhasecastCore

/// One request as a parser read it: UTC time, token counts, status, and the model as an index
/// into the file's `ModelNames`. Plain integers only, so batches of them cost no allocations.
public struct ParsedRequest: Sendable, Equatable {
    /// Microseconds since the Unix epoch, UTC.
    public var micros: Int64
    /// Prompt tokens, including those served from a prefix cache.
    public var prompt: Int64
    /// Prompt tokens served from a prefix cache.
    public var cached: Int64
    /// Output (generated) tokens.
    public var output: Int64
    /// Index of the model in the file's `ModelNames`.
    public var model: Int32
    public var status: RequestStatus
    /// 1-based line of the source file where the request starts.
    public var line: Int64

    public init(
        micros: Int64, prompt: Int64, cached: Int64, output: Int64, model: Int32,
        status: RequestStatus, line: Int64
    ) {
        self.micros = micros
        self.prompt = prompt
        self.cached = cached
        self.output = output
        self.model = model
        self.status = status
        self.line = line
    }

    /// An empty request, for parsers to fill in.
    public static let blank = ParsedRequest(
        micros: 0, prompt: 0, cached: 0, output: 0, model: 0, status: .ok, line: 0)

    /// Prompt tokens the prefill phase computes.
    @inlinable public var prefill: Int64 { prompt - cached }
}

/// What a parser made of one line.
public enum LineVerdict: Equatable, Sendable {
    /// The line held a request, written to the `into` argument.
    case accepted
    /// The line holds no request and is not an error (a header, a blank line).
    case ignored
    /// The line is well-formed but is not a served request (a failed batch line without
    /// usage, a queued record, a guardrail block, a transcript's user line); counted as
    /// skipped under its kind, never towards the reject rate.
    case skipped(SkipKind)
    /// The line held a request, written to `into`, and more requests that `takeExtraRequests`
    /// hands over (an OTLP export line carrying several spans).
    case acceptedSeveral
    /// The line held usage totals over intervals, not requests; `takeAggregates` hands them over.
    case aggregated
    /// The parser keeps the line's request until `finish`, to emit it in time order.
    case deferred
    /// The line is bad; the reason says why in a few words.
    case rejected(String)
    /// The file cannot be read as this format at all (for example its header lacks a column
    /// the format needs); the whole file fails with this message.
    case fileError(String)
}

/// Parses the lines of one file of one log format. Parsers are pure: bytes in, values out.
public protocol LogLineParser {
    /// Reads one line (without its line terminator). On `.accepted`, `request` holds the result.
    mutating func parse(
        _ line: UnsafeRawBufferPointer, number: Int64, into request: inout ParsedRequest,
        models: inout ModelNames
    ) -> LineVerdict

    /// Requests kept back by `.deferred` verdicts, released once the whole file was read, a
    /// batch per call: call it until it returns none.
    mutating func releaseHeld(models: inout ModelNames) throws(HeldRequestsError) -> [ParsedRequest]

    /// Whether records may span lines through quoted fields (CSV).
    var recordsMaySpanLines: Bool { get }

    /// The requests beyond the first of the last `.acceptedSeveral` line.
    mutating func takeExtraRequests() -> [ParsedRequest]

    /// The totals of the last `.aggregated` line.
    mutating func takeAggregates() -> [UsageAggregate]

    /// What looks wrong about the file as a whole once all of it was read, given the requests
    /// it yielded (for example a cached-token field that was zero on every line).
    func fileWarnings(rows: Int64) -> [String]
}

extension LogLineParser {
    public mutating func releaseHeld(models: inout ModelNames) throws(HeldRequestsError) -> [ParsedRequest] { [] }
    public var recordsMaySpanLines: Bool { false }
    public mutating func takeExtraRequests() -> [ParsedRequest] { [] }
    public func fileWarnings(rows: Int64) -> [String] { [] }
    public mutating func takeAggregates() -> [UsageAggregate] { [] }
}

/// Usage totals of one model over an interval (a usage API's bucket): how many requests and
/// tokens, without the requests themselves.
public struct UsageAggregate: Sendable, Equatable {
    /// The interval, UTC µs, end excluded.
    public var startMicros: Int64
    public var endMicros: Int64
    public var model: Int32
    public var requests: Int64
    /// Prompt tokens, cached included.
    public var prompt: Int64
    public var cached: Int64
    public var output: Int64
    /// 1-based line of the source file.
    public var line: Int64

    public init(
        startMicros: Int64, endMicros: Int64, model: Int32, requests: Int64, prompt: Int64, cached: Int64,
        output: Int64, line: Int64
    ) {
        self.startMicros = startMicros
        self.endMicros = endMicros
        self.model = model
        self.requests = requests
        self.prompt = prompt
        self.cached = cached
        self.output = output
        self.line = line
    }

    /// The requests of each minute of the interval when its totals are spread evenly: minute `i`
    /// of `m` takes ⌊(i+1)n/m⌋ − ⌊in/m⌋ requests and the tokens in proportion, and within a minute
    /// every request has the same size (the first ones one token more where counts do not
    /// divide). Requests and prompt and output tokens add up exactly; cached tokens too, unless
    /// rounding would put more of them than prompt tokens in a minute. `body` receives each request.
    public func spreadEvenly(_ body: (ParsedRequest) -> Void) {
        guard requests > 0 else { return }
        let minutes = max(1, (endMicros - startMicros) / UTCTime.microsPerMinute)
        let firstMinute = UTCTime.floorDiv(startMicros, UTCTime.microsPerMinute)
        /// ⌊a·b/c⌋ for a result that fits (b ≤ c), without overflowing the product.
        func scaled(_ a: Int64, _ b: Int64, _ c: Int64) -> Int64 {
            c.dividingFullWidth(a.multipliedFullWidth(by: b)).quotient
        }
        var requestsBefore: Int64 = 0
        var promptBefore: Int64 = 0
        var cachedBefore: Int64 = 0
        var outputBefore: Int64 = 0
        for index in 0..<minutes {
            let requestsThrough = scaled(requests, index + 1, minutes)
            let k = requestsThrough - requestsBefore
            guard k > 0 else { continue }
            let p = scaled(prompt, requestsThrough, requests) - promptBefore
            let c = max(0, min(scaled(cached, requestsThrough, requests) - cachedBefore, p))
            let o = scaled(output, requestsThrough, requests) - outputBefore
            let micros = (firstMinute + index) * UTCTime.microsPerMinute
            for j in 0..<k {
                body(
                    ParsedRequest(
                        micros: micros, prompt: p / k + (j < p % k ? 1 : 0), cached: c / k + (j < c % k ? 1 : 0),
                        output: o / k + (j < o % k ? 1 : 0), model: model, status: .ok, line: line))
            }
            requestsBefore = requestsThrough
            promptBefore += p
            cachedBefore += c
            outputBefore += o
        }
    }
}

/// Why a well-formed line holds no request to count. The raw value is what `source_file_skips`
/// and the report call it.
public enum SkipKind: String, CaseIterable, Sendable, Codable {
    /// A failed request that carries no usage.
    case failed
    /// A record logged before the request finished (`queued`, `in_progress` without usage).
    case unfinished
    /// A request cancelled or expired before it was served.
    case cancelled
    /// An invocation a guardrail blocked before the model ran.
    case guardrailBlocked = "guardrail-blocked"
    /// A line of a log or transcript that is not a model response (a user or tool-result entry,
    /// a summary, a scheduler line, a span or observation that is not a generation).
    case notARequest = "not a request"
    /// A batch result line without a response body.
    case noBody = "no body"
    /// A line that a `where=` filter leaves out.
    case filtered
    /// A repeat of a request already read from this file (the same id), merged into it.
    case duplicate

    /// The words the report uses for a count of this kind: "5 queued or unfinished".
    public var phrase: String {
        switch self {
        case .failed: "failed without usage"
        case .unfinished: "queued or unfinished"
        case .cancelled: "cancelled or expired"
        case .guardrailBlocked: "guardrail-blocked"
        case .notARequest: "not requests"
        case .noBody: "batch lines without a body"
        case .filtered: "filtered out by where="
        case .duplicate: "duplicates merged"
        }
    }
}
