/// A Markdown (GitHub) table built row by row: the header, its alignment line, then one line a
/// row, each ending in a line break. Cells are written as given: escape text from logs with
/// `MarkdownText.escape` first.
struct MarkdownTable {
    enum Alignment {
        case left, right

        var marker: String { self == .left ? "---" : "---:" }
    }

    private var text: String

    /// A table with these column titles; `alignment` is one letter a column, `l` or `r`.
    init(_ titles: [String], alignment: String) {
        let alignments = alignment.map { $0 == "r" ? Alignment.right : Alignment.left }
        text = Self.line(titles) + "|" + alignments.map { $0.marker + "|" }.joined() + "\n"
    }

    mutating func row(_ cells: [String]) { text += Self.line(cells) }

    /// The table's text, ending in a line break.
    var markdown: String { text }

    private static func line(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |\n" }
}
