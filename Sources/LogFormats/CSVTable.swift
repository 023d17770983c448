/// A small CSV file read whole into text cells by column name: for seeds, measured profiles and
/// series files, not for logs (those stream through `CSVRecord`).
public struct CSVTable: Sendable {
    public let header: [String]
    /// Rows of cells, each as long as the header (missing cells are empty).
    public let rows: [[String]]
    /// 1-based line of each row in the text, for error messages.
    public let lines: [Int]

    /// Why a CSV text could not be read.
    public struct ParseError: Error, CustomStringConvertible, Equatable, Sendable {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// Reads `text`; the first non-blank record is the header. Quoted fields may hold commas,
    /// `""` and line breaks.
    public init(text: String) throws(ParseError) {
        var header: [String]?
        var rows: [[String]] = []
        var lines: [Int] = []
        var record = CSVRecord()
        var pending = ""
        var pendingLine = 0
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            var line = String(rawLine)
            if line.hasSuffix("\r") { line.removeLast() }
            if lineNumber == 1 && line.hasPrefix("\u{FEFF}") { line.removeFirst() }
            if pending.isEmpty { pendingLine = lineNumber } else { pending += "\n" }
            pending += line
            var cells: [String]?
            var open = false
            var copy = pending
            copy.withUTF8 { bytes in
                let buffer = UnsafeRawBufferPointer(bytes)
                if CSVRecord.hasOpenQuote(buffer) {
                    open = true
                } else if record.split(buffer) {
                    cells = (0..<record.count).map { record.text($0) }
                }
            }
            if open { continue }
            let recordText = pending
            pending = ""
            guard let cells else { throw ParseError(line: pendingLine, reason: "malformed quoted field") }
            if recordText.trimmingSpaces().isEmpty { continue }
            if let header {
                rows.append(
                    cells.count >= header.count
                        ? cells : cells + Array(repeating: "", count: header.count - cells.count))
                lines.append(pendingLine)
            } else {
                header = cells.map { $0.trimmingSpaces() }
            }
        }
        guard pending.isEmpty else { throw ParseError(line: pendingLine, reason: "a quoted field is never closed") }
        guard let header else { throw ParseError(line: 1, reason: "no header") }
        self.header = header
        self.rows = rows
        self.lines = lines
    }

    /// The index of a column (ASCII case ignored), or nil.
    public func column(_ name: String) -> Int? {
        header.firstIndex { $0.lowercased() == name.lowercased() }
    }

    /// The cell of a row by column name, trimmed; empty when the column is absent.
    public func cell(_ row: Int, _ name: String) -> String {
        guard let index = column(name), index < rows[row].count else { return "" }
        return rows[row][index].trimmingSpaces()
    }
}
