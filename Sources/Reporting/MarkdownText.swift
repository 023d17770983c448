/// Text from logs or from users (model names, file paths, reject reasons, GPU and scenario
/// names) made safe to put in Markdown: it can neither run as HTML, nor break a table or a
/// list, nor open a code span. Rendered, it reads as it was written.
enum MarkdownText {
    /// Prose and table cells: HTML's `& < >` as entities, `\` `|` `` ` `` `*` `_` `[` `]`
    /// backslash-escaped, line breaks as spaces, other control characters dropped.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\\", "|", "`", "*", "_", "[", "]": out += "\\" + String(scalar)
            case "\n", "\r", "\t": out += " "
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A code span: the text between backticks, with no backtick, line break or control
    /// character left in it to end the span early.
    static func code(_ text: String) -> String {
        var inner = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "`": inner += "'"
            case "\n", "\r", "\t": inner += " "
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { continue }
                inner.unicodeScalars.append(scalar)
            }
        }
        return "`" + inner + "`"
    }
}
