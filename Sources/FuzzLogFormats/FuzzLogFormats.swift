import FuzzSupport
import LogFormats
import PhasecastCore

/// libFuzzer entry point (`make fuzz`): the input is a log file's bytes. The first line tells the
/// format (as ingest does); then the input is read as every format, each line by each parser,
/// with the options that format needs. Any crash or trap is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLogFormats(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var lines: [UnsafeRawBufferPointer] = []
    var start = 0
    for index in 0..<size where bytes[index] == 0x0A {
        lines.append(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        start = index + 1
    }
    if start < size { lines.append(UnsafeRawBufferPointer(rebasing: bytes[start..<size])) }
    _ = FormatDetector.detect(lines: Array(lines.prefix(8)))
    guard let first = lines.first else { return 0 }
    var options = ParseOptions()
    options.columnMap = ColumnMap(timestamp: "1", prompt: "2", output: "3", cached: "4", model: "5", status: "6")
    options.cacheCapacityBlocks = 64
    options.fileTime = 1_700_000_000_000_000
    // The mapping parser, on the first line as a mapping's text, and a mapping of JSON lines
    // with sums, a filter and an id.
    _ = try? JSONRecordSpec(parsingMap: String(decoding: first, as: UTF8.self), timeUnit: nil)
    options.jsonMap = try? JSONRecordSpec(
        parsingMap: "ts=a.t,prompt=u.p+u.q,cached=u.c,output=u.o,model=m,status=s,id=i,where=k:x|y",
        timeUnit: .milliseconds)
    for format in LogFormat.allCases {
        var formatOptions = options
        if format.acceptsStart { formatOptions.start = 1_700_000_000_000_000 }
        guard let selected = try? format.makeParser(options: formatOptions, firstLine: first) else { continue }
        switch selected {
        case .csv(var parser): run(&parser, lines)
        case .json(var parser): run(&parser, lines)
        case .mooncake(var parser): run(&parser, lines)
        case .mapped(var parser): run(&parser, lines)
        case .sglang(var parser): run(&parser, lines)
        case .otlp(var parser): run(&parser, lines)
        case .cloudwatch(var parser): run(&parser, lines)
        case .usage(var parser): run(&parser, lines)
        }
    }
    return 0
}

private func run<P: LogLineParser>(_ parser: inout P, _ lines: [UnsafeRawBufferPointer]) {
    var models = ModelNames(fallback: "unknown")
    var request = ParsedRequest.blank
    for (index, line) in lines.enumerated() {
        switch parser.parse(line, number: Int64(index + 1), into: &request, models: &models) {
        case .acceptedSeveral: _ = parser.takeExtraRequests()
        case .aggregated:
            // Spread a bounded share: a bucket may claim billions of requests.
            for aggregate in parser.takeAggregates() where aggregate.requests <= 100_000 {
                aggregate.spreadEvenly { _ in }
            }
        default: break
        }
    }
    _ = parser.fileWarnings(rows: 100)
    while let held = try? parser.releaseHeld(models: &models), !held.isEmpty {}
}

/// The executable's entry point (SwiftPM names it `FuzzLogFormats_main`).
@_cdecl("FuzzLogFormats_main")
public func fuzzLogFormatsMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzLogFormats)
}
