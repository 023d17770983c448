/// A small CSV file read whole into text cells by column name: for seeds, measured profiles and
/// series files, not for logs (those stream through the byte-level parsers of LogFormats).
public struct CSVTable: Sendable {
    public let header: [String]
    /// Rows of cells, each as long as the header (missing cells are empty).
    public let rows: [[String]]
    /// 1-based line of each row in the text, for error messages.
    public let lines: [Int]

    /// Why a CSV text could not be read.
    public struct ParseError: PhasecastError, Equatable, Sendable {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
        public var exitStatus: ExitStatus { .dataError }
    }

    /// Reads `text`; the first non-blank record is the header. Quoted fields may hold commas,
    /// `""` and line breaks; spaces may stand around a quoted field; a UTF-8 BOM and CR line
    /// ends are ignored.
    public init(text: String) throws(ParseError) {
        var header: [String]?
        var rows: [[String]] = []
        var lines: [Int] = []
        var reader = RecordReader(text)
        while let (cells, line, blank) = try reader.next() {
            if blank { continue }
            if let header {
                rows.append(
                    cells.count >= header.count
                        ? cells : cells + Array(repeating: "", count: header.count - cells.count))
                lines.append(line)
            } else {
                header = cells.map { $0.trimmingSpaces() }
            }
        }
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

/// Splits CSV text into records, one at a time, over its Unicode scalars.
private struct RecordReader {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var line = 1

    init(_ text: String) {
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        self.scalars = scalars
    }

    /// The next record's cells, the line it starts on, and whether it is blank; nil at the end.
    mutating func next() throws(CSVTable.ParseError) -> ([String], Int, Bool)? {
        guard position < scalars.count else { return nil }
        let start = line
        var cells: [String] = []
        var cell = String.UnicodeScalarView()
        var blank = true
        while true {
            // One field.
            var offset = position
            while offset < scalars.count, scalars[offset] == " " || scalars[offset] == "\t" { offset += 1 }
            if offset < scalars.count, scalars[offset] == "\"" {
                blank = false
                position = offset + 1
                while true {
                    guard position < scalars.count else {
                        throw CSVTable.ParseError(line: start, reason: "a quoted field is never closed")
                    }
                    let scalar = scalars[position]
                    position += 1
                    if scalar == "\"" {
                        if position < scalars.count, scalars[position] == "\"" {
                            cell.append("\"")
                            position += 1
                            continue
                        }
                        break
                    }
                    if scalar == "\n" { line += 1 }
                    cell.append(scalar)
                }
                while position < scalars.count, scalars[position] == " " || scalars[position] == "\t" {
                    position += 1
                }
            } else {
                while position < scalars.count, scalars[position] != ",", scalars[position] != "\n" {
                    let scalar = scalars[position]
                    if scalar != "\r" || (position + 1 < scalars.count && scalars[position + 1] != "\n") {
                        cell.append(scalar)
                    }
                    if scalar != " " && scalar != "\t" && scalar != "\r" { blank = false }
                    position += 1
                }
            }
            cells.append(String(cell))
            cell = String.UnicodeScalarView()
            if position >= scalars.count { return (cells, start, blank && cells.count == 1) }
            switch scalars[position] {
            case ",":
                blank = false
                position += 1
            case "\n":
                position += 1
                line += 1
                return (cells, start, blank && cells.count == 1)
            case "\r" where position + 1 < scalars.count && scalars[position + 1] == "\n":
                position += 2
                line += 1
                return (cells, start, blank && cells.count == 1)
            default:
                throw CSVTable.ParseError(line: start, reason: "malformed quoted field")
            }
        }
    }
}
