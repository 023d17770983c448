import LogFormats
import PhasecastCore

/// What a parser made of a sequence of lines: accepted requests (with model names resolved),
/// rejects by line, and counts of skipped lines.
struct ParsedLines {
    var requests: [(request: ParsedRequest, model: String)] = []
    var rejects: [Int64: String] = [:]
    var skipped = 0
    var skippedByKind: [SkipKind: Int] = [:]
    var fileError: String?

    var totals: TokenCounts {
        requests.reduce(TokenCounts(prompt: 0, cached: 0, output: 0)) {
            TokenCounts(
                prompt: $0.prompt + $1.request.prompt, cached: $0.cached + $1.request.cached,
                output: $0.output + $1.request.output)
        }
    }
}

/// Runs a parser over lines as the ingest loop does (without line splitting).
func parse<P: LogLineParser>(_ parser: inout P, _ lines: [String], fallbackModel: String = "unknown") -> ParsedLines {
    var result = ParsedLines()
    var models = ModelNames(fallback: fallbackModel)
    var request = ParsedRequest.blank
    for (index, line) in lines.enumerated() {
        var text = line
        let verdict = text.withUTF8 { buffer in
            parser.parse(UnsafeRawBufferPointer(buffer), number: Int64(index + 1), into: &request, models: &models)
        }
        switch verdict {
        case .accepted: result.requests.append((request, ""))
        case .acceptedSeveral:
            result.requests.append((request, ""))
            for extra in parser.takeExtraRequests() { result.requests.append((extra, "")) }
        case .aggregated:
            for aggregate in parser.takeAggregates() {
                aggregate.spreadEvenly { result.requests.append(($0, "")) }
            }
        case .ignored, .deferred: break
        case .skipped(let kind):
            result.skipped += 1
            result.skippedByKind[kind, default: 0] += 1
        case .rejected(let reason): result.rejects[Int64(index + 1)] = reason
        case .fileError(let message): result.fileError = message
        }
    }
    do {
        while case let held = try parser.releaseHeld(models: &models), !held.isEmpty {
            result.requests += held.map { ($0, "") }
        }
    } catch {
        result.fileError = error.description
    }
    for index in result.requests.indices {
        result.requests[index].model = models.names[Int(result.requests[index].request.model)]
    }
    return result
}

/// Parses lines as the given format with the given options.
func parse(_ format: LogFormat, _ lines: [String], options: ParseOptions = ParseOptions()) throws -> ParsedLines {
    var first = lines.first ?? ""
    let selected = try first.withUTF8 { try format.makeParser(options: options, firstLine: UnsafeRawBufferPointer($0)) }
    switch selected {
    case .csv(var parser): return parse(&parser, lines, fallbackModel: options.defaultModel)
    case .json(var parser): return parse(&parser, lines, fallbackModel: options.defaultModel)
    case .mooncake(var parser): return parse(&parser, lines, fallbackModel: options.defaultModel)
    case .mapped(var parser): return parse(&parser, lines, fallbackModel: options.defaultModel)
    case .sglang(var parser): return parse(&parser, lines, fallbackModel: options.defaultModel)
    case .otlp(var parser): return parse(&parser, lines, fallbackModel: options.defaultModel)
    case .cloudwatch(var parser): return parse(&parser, lines, fallbackModel: options.defaultModel)
    case .usage(var parser): return parse(&parser, lines, fallbackModel: options.defaultModel)
    }
}

/// Microseconds of an ISO 8601 instant, for expectations.
func micros(_ iso: String) -> Int64 {
    var text = iso
    return text.withUTF8 { TimestampParsing.iso8601(UnsafeRawBufferPointer($0))! }
}

/// Runs a closure over the UTF-8 bytes of a string.
func withBytes<R>(_ text: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    var copy = text
    return copy.withUTF8 { body(UnsafeRawBufferPointer($0)) }
}
