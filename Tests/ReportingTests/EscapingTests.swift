import Testing

@testable import Reporting

@Suite struct EscapingTests {
    @Test func textFromLogsCannotRunAsHTMLOrBreakATable() {
        let escaped = MarkdownText.escape("<script>alert(1)</script> | a*b_c [x](y) `code` & \\ line\nbreak\u{0}")
        #expect(
            escaped == "&lt;script&gt;alert(1)&lt;/script&gt; \\| a\\*b\\_c \\[x\\](y) \\`code\\` &amp; \\\\ line break"
        )
        #expect(!escaped.contains("<") && !escaped.contains("\n"))
        // An unescaped '|' is never left: every '|' is preceded by a backslash.
        let pipes = escaped.indices.filter { escaped[$0] == "|" }
        #expect(pipes.allSatisfy { escaped[escaped.index(before: $0)] == "\\" })
        #expect(MarkdownText.escape("meta.llama3-1-8b-instruct-v1:0") == "meta.llama3-1-8b-instruct-v1:0")
    }

    @Test func codeSpansCannotBeClosedEarly() {
        #expect(MarkdownText.code("logs/a`b\nc.jsonl.gz") == "`logs/a'b c.jsonl.gz`")
    }

    @Test(arguments: [
        ("chat-70b", "chat-70b"), ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("two\nlines", "\"two\nlines\""), ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""), ("+1", "'+1"),
        ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ])
    func csvTextCellsAreQuotedAndNeverFormulas(text: String, cell: String) {
        #expect(CapacityReport.csvField(text) == cell)
    }
}
