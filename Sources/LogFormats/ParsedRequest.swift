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
    /// The line is well-formed but describes nothing to count (for example a Batch API
    /// error line without usage); counted as skipped.
    case skipped
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

    /// Requests kept back by `.deferred` verdicts, released once the whole file was read.
    mutating func finish(models: inout ModelNames) -> [ParsedRequest]

    /// Whether records may span lines through quoted fields (CSV).
    var recordsMaySpanLines: Bool { get }
}

extension LogLineParser {
    public mutating func finish(models: inout ModelNames) -> [ParsedRequest] { [] }
    public var recordsMaySpanLines: Bool { false }
}
