import PhasecastCore

/// Renders the Markdown the report writes as one self-contained HTML file: the charts it links
/// (`![alt](name.svg)` on a line of its own) are put inline, so the file opens from a share or
/// a mail attachment without its folder.
///
/// It reads the subset of GitHub Markdown the report is written in — ATX headings, paragraphs,
/// `>` quotes, `-` lists nested by two spaces, pipe tables with `---`/`---:` alignment, `**strong**`,
/// code spans and backslash escapes — and nothing else: any other character is text. Its output
/// is also well-formed XML (every element closed, only XML's entities), so that it can be
/// checked with an XML parser.
public enum MarkdownHTML {
    /// The whole document; `figures` maps a linked file name to its SVG text.
    public static func document(markdown: String, figures: [String: String]) -> String {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let title = lines.first { $0.hasPrefix("# ") }.map { plainText(String($0.dropFirst(2))) } ?? "Capacity plan"
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>\(XMLText.escape(title))</title>
            <style>\(style)</style>
            </head>
            <body>
            <main>

            """
        html += body(lines, figures: figures)
        html += "</main>\n</body>\n</html>\n"
        return html
    }

    static let style = """

        body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; line-height: 1.45; color: #1f2328; margin: 0; }
        main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
        h1 { font-size: 1.7rem; border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; }
        h2 { font-size: 1.35rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; margin-top: 2rem; }
        table { border-collapse: collapse; margin: .8rem 0; display: block; overflow-x: auto; font-size: .9rem; }
        th, td { border: 1px solid #d0d7de; padding: .25rem .6rem; vertical-align: top; }
        th { background: #f6f8fa; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        blockquote { margin: 1rem 0; padding: .2rem 1rem; border-left: .25rem solid #d0d7de; color: #59636e; }
        code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .88em; background: #f6f8fa; padding: .1em .3em; border-radius: 4px; }
        figure { margin: 1rem 0; }
        figure svg { max-width: 100%; height: auto; }
        @media print { main { max-width: none; } table { display: table; } }

        """

    // MARK: - Blocks

    static func body(_ lines: [String], figures: [String: String]) -> String {
        var html = ""
        var paragraph: [String] = []
        var index = 0

        func flushParagraph() {
            guard !paragraph.isEmpty else { return }
            html += "<p>" + paragraph.map(inline).joined(separator: "\n") + "</p>\n"
            paragraph = []
        }

        while index < lines.count {
            let line = lines[index]
            if line.trimmingSpaces().isEmpty {
                flushParagraph()
                index += 1
            } else if let level = headingLevel(line) {
                flushParagraph()
                let text = String(line.dropFirst(level + 1))
                html += "<h\(level) id=\"\(anchor(text))\">\(inline(text))</h\(level)>\n"
                index += 1
            } else if let figure = figureLink(line) {
                flushParagraph()
                html += Self.figure(figure, svg: figures[figure.file])
                index += 1
            } else if line.hasPrefix("|") {
                flushParagraph()
                var rows: [String] = []
                while index < lines.count, lines[index].hasPrefix("|") {
                    rows.append(lines[index])
                    index += 1
                }
                html += table(rows)
            } else if line.hasPrefix(">") {
                flushParagraph()
                var quoted: [String] = []
                while index < lines.count, lines[index].hasPrefix(">") {
                    quoted.append(String(lines[index].dropFirst()).trimmingLeadingSpace)
                    index += 1
                }
                html += "<blockquote>\n" + body(quoted, figures: figures) + "</blockquote>\n"
            } else if listItem(line) != nil {
                flushParagraph()
                var items: [(depth: Int, text: String)] = []
                while index < lines.count, let item = listItem(lines[index]) {
                    items.append(item)
                    index += 1
                }
                html += list(items)
            } else {
                paragraph.append(line)
                index += 1
            }
        }
        flushParagraph()
        return html
    }

    static func headingLevel(_ line: String) -> Int? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes), line.dropFirst(hashes).first == " " else { return nil }
        return hashes
    }

    /// `![alt](file)` alone on its line.
    static func figureLink(_ line: String) -> (alt: String, file: String)? {
        guard line.hasPrefix("!["), line.hasSuffix(")"), let middle = line.range(of: "](") else { return nil }
        let alt = String(line[line.index(line.startIndex, offsetBy: 2)..<middle.lowerBound])
        let file = String(line[middle.upperBound..<line.index(before: line.endIndex)])
        guard !file.contains(" "), !file.contains("(") else { return nil }
        return (alt, file)
    }

    static func figure(_ link: (alt: String, file: String), svg: String?) -> String {
        guard let svg, let start = svg.range(of: "<svg") else {
            return
                "<p><img src=\"\(XMLText.escape(link.file))\" alt=\"\(XMLText.escape(plainText(link.alt)))\" /></p>\n"
        }
        // The chart's own XML declaration, if any, cannot stand inside a document.
        var inlined = String(svg[start.lowerBound...])
        while inlined.hasSuffix("\n") { inlined.removeLast() }
        return "<figure role=\"img\" aria-label=\"\(XMLText.escape(plainText(link.alt)))\">\n\(inlined)\n</figure>\n"
    }

    /// `- text` at two spaces of indent a level.
    static func listItem(_ line: String) -> (depth: Int, text: String)? {
        let indent = line.prefix { $0 == " " }.count
        let rest = line.dropFirst(indent)
        guard rest.hasPrefix("- ") else { return nil }
        return (indent / 2, String(rest.dropFirst(2)))
    }

    static func list(_ items: [(depth: Int, text: String)]) -> String {
        var html = ""
        var open: [Int] = []  // depths of the open lists; an item of the innermost one is open
        for item in items {
            if open.isEmpty || item.depth > open[open.count - 1] {
                html += "<ul>\n"
                open.append(item.depth)
            } else {
                while let last = open.last, last > item.depth {
                    html += "</li>\n</ul>\n"
                    open.removeLast()
                }
                html += "</li>\n"
            }
            html += "<li>" + inline(item.text)
        }
        for _ in open { html += "</li>\n</ul>\n" }
        return html
    }

    static func table(_ rows: [String]) -> String {
        let cells = rows.map(tableCells)
        guard cells.count >= 2, cells[1].allSatisfy({ $0.allSatisfy { "-:".contains($0) } && !$0.isEmpty }) else {
            return "<p>" + rows.map(inline).joined(separator: "\n") + "</p>\n"
        }
        let numeric = cells[1].map { $0.hasSuffix(":") }
        func row(_ values: [String], tag: String) -> String {
            "<tr>"
                + values.enumerated().map { column, value in
                    let kind = column < numeric.count && numeric[column] ? " class=\"num\"" : ""
                    return "<\(tag)\(kind)>\(inline(value))</\(tag)>"
                }.joined() + "</tr>\n"
        }
        var html = "<table>\n<thead>\n" + row(cells[0], tag: "th") + "</thead>\n<tbody>\n"
        for values in cells.dropFirst(2) { html += row(values, tag: "td") }
        return html + "</tbody>\n</table>\n"
    }

    /// The cells of `| a | b \| c |`: split at pipes that are not backslash-escaped, trimmed.
    static func tableCells(_ line: String) -> [String] {
        var cells: [String] = []
        var current = ""
        var escaped = false
        for character in line.dropFirst() {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                current.append(character)
                escaped = true
            } else if character == "|" {
                cells.append(current.trimmingSpaces())
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.trimmingSpaces().isEmpty { cells.append(current.trimmingSpaces()) }
        return cells
    }

    // MARK: - Inline

    /// Characters a backslash escapes in Markdown.
    static let escapable = Set("\\`*_{}[]()#+-.!|<>&")

    /// One line of text: backslash escapes, code spans and `**strong**`; everything else as text.
    static func inline(_ text: String) -> String {
        var html = ""
        var strongOpen = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character == "\\", next < text.endIndex, escapable.contains(text[next]) {
                html += XMLText.escape(String(text[next]))
                index = text.index(after: next)
            } else if character == "`", let close = text[next...].firstIndex(of: "`") {
                html += "<code>" + XMLText.escape(String(text[next..<close])) + "</code>"
                index = text.index(after: close)
            } else if text[index...].hasPrefix("**") {
                if strongOpen || text[text.index(index, offsetBy: 2)...].contains("**") {
                    html += strongOpen ? "</strong>" : "<strong>"
                    strongOpen.toggle()
                } else {
                    html += "**"
                }
                index = text.index(index, offsetBy: 2)
            } else if character == "&", let entity = entity(in: text[index...]) {
                html += entity
                index = text.index(index, offsetBy: entity.count)
            } else {
                html += XMLText.escape(String(character))
                index = next
            }
        }
        if strongOpen { html += "</strong>" }
        return html
    }

    /// An entity the Markdown already holds (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#…;`), kept as is.
    static func entity(in text: Substring) -> String? {
        for name in ["&amp;", "&lt;", "&gt;", "&quot;"] where text.hasPrefix(name) { return name }
        guard text.hasPrefix("&#") else { return nil }
        let digits = text.dropFirst(2).prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 7, text.dropFirst(2 + digits.count).first == ";" else { return nil }
        return "&#" + digits + ";"
    }

    /// The text of inline Markdown without its markup (for titles and labels).
    static func plainText(_ markdown: String) -> String {
        var text = ""
        var index = markdown.startIndex
        while index < markdown.endIndex {
            let character = markdown[index]
            let next = markdown.index(after: index)
            if character == "\\", next < markdown.endIndex, escapable.contains(markdown[next]) {
                text.append(markdown[next])
                index = markdown.index(after: next)
            } else if character == "`" || (character == "*" && markdown[next...].hasPrefix("*")) {
                index = character == "*" ? markdown.index(after: next) : next
            } else if character == "&", let entity = entity(in: markdown[index...]) {
                text += decodeEntity(entity)
                index = markdown.index(index, offsetBy: entity.count)
            } else {
                text.append(character)
                index = next
            }
        }
        return text
    }

    static func decodeEntity(_ entity: String) -> String {
        switch entity {
        case "&amp;": return "&"
        case "&lt;": return "<"
        case "&gt;": return ">"
        case "&quot;": return "\""
        default:
            let digits = entity.dropFirst(2).dropLast()
            return UInt32(digits).flatMap(Unicode.Scalar.init).map { String(Character($0)) } ?? ""
        }
    }

    /// A heading's anchor: lowercase letters and digits, runs of anything else as one hyphen.
    static func anchor(_ heading: String) -> String {
        var slug = ""
        for character in plainText(heading).lowercased() {
            if character.isLetter || character.isNumber {
                slug.append(character)
            } else if !slug.isEmpty, slug.last != "-" {
                slug.append("-")
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return XMLText.escape(slug)
    }

}

extension String {
    fileprivate var trimmingLeadingSpace: String { hasPrefix(" ") ? String(dropFirst()) : self }
}
