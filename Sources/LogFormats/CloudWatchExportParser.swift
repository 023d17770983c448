import PhasecastCore

/// Reads CloudWatch Logs Insights exports of Bedrock invocation logs: one JSON object per line
/// whose `@message` holds the invocation record, as a JSON-encoded string or as an object, or
/// a CSV table with an `@message` column. The record is then read as `bedrock` reads it.
public struct CloudWatchExportParser: LogLineParser {
    private var bedrock: JSONRequestParser
    private let scanner = JSONLineScanner()
    /// The decoded record of the current line.
    private var inner: [UInt8] = []
    /// For a CSV export: the split record and the `@message` column (nil until the header).
    private let isCSV: Bool
    private var csv = CSVRecord()
    private var messageColumn: Int?

    public init(options: ParseOptions, firstLine: UnsafeRawBufferPointer) {
        bedrock = JSONRequestParser(flavor: .bedrock, options: options)
        let trimmed = ByteParsing.trimmed(firstLine)
        isCSV = trimmed.count == 0 || trimmed[0] != UInt8(ascii: "{")
    }

    public var recordsMaySpanLines: Bool { isCSV }

    public func fileWarnings(rows: Int64) -> [String] { bedrock.fileWarnings(rows: rows) }

    private mutating func parseCSV(
        _ line: UnsafeRawBufferPointer, number: Int64, into request: inout ParsedRequest, models: inout ModelNames
    ) -> LineVerdict {
        guard csv.split(line) else { return .rejected("malformed CSV: an unclosed quote") }
        guard let column = messageColumn else {
            let names = csv.headerNames()
            guard let index = names.firstIndex(of: "@message") else {
                return .fileError(
                    "cloudwatch: the header has no @message column (header: \(names.joined(separator: ",")))")
            }
            messageColumn = index
            return .ignored
        }
        guard column < csv.count else { return .rejected("no @message field") }
        inner = csv.isEscaped(column) ? CSVRecord.unescapingQuotes(csv.field(column)) : Array(csv.field(column))
        return parseInner(number: number, into: &request, models: &models)
    }

    private mutating func parseInner(
        number: Int64, into request: inout ParsedRequest, models: inout ModelNames
    )
        -> LineVerdict
    {
        let trimmed = inner.withUnsafeBytes { ByteParsing.trimmed($0).count }
        guard trimmed > 0 else { return .skipped(.notARequest) }
        var record = inner
        return record.withUnsafeMutableBytes { bytes in
            let verdict = bedrock.parse(UnsafeRawBufferPointer(bytes), number: number, into: &request, models: &models)
            if case .rejected(let reason) = verdict, reason.hasPrefix("not a JSON object") {
                return .skipped(.notARequest)  // a log line of another kind in the same group
            }
            return verdict
        }
    }

    private struct MessageFinder: JSONVisitor {
        let line: UnsafeRawBufferPointer
        var message = JSONUsageFields.Slot()
        var objectMessage = false

        mutating func visit(_ path: JSONPath, _ value: JSONValue) {
            guard path.component(0, is: "@message") else { return }
            if path.depth == 1 {
                message.offer(value, depth: 1, line: line)
            } else {
                objectMessage = true
            }
        }
    }

    public mutating func parse(
        _ line: UnsafeRawBufferPointer, number: Int64, into request: inout ParsedRequest, models: inout ModelNames
    ) -> LineVerdict {
        if isCSV { return parseCSV(line, number: number, into: &request, models: &models) }
        var finder = MessageFinder(line: line)
        if let error = scanner.scan(line, visitor: &finder) { return .rejected(error.reason) }
        if finder.objectMessage { return bedrock.parse(line, number: number, into: &request, models: &models) }
        guard let message = finder.message.value(in: line), message.kind == .string else {
            return .rejected("no @message holding the invocation record")
        }
        inner.removeAll(keepingCapacity: true)
        if message.hasEscapes {
            inner.append(contentsOf: message.text().utf8)
        } else {
            inner.append(contentsOf: message.bytes)
        }
        return parseInner(number: number, into: &request, models: &models)
    }
}
