import PhasecastCore

/// Reads CloudWatch Logs Insights exports of Bedrock invocation logs: one JSON object per line
/// whose `@message` holds the invocation record, as a JSON-encoded string or as an object.
/// The record is then read as the `bedrock` format reads it.
public struct CloudWatchExportParser: LogLineParser {
    private var bedrock: JSONRequestParser
    private let scanner = JSONLineScanner()
    /// The decoded record of the current line.
    private var inner: [UInt8] = []

    public init(options: ParseOptions) {
        bedrock = JSONRequestParser(flavor: .bedrock, options: options)
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
}
