import Foundation
import Testing

@testable import Reporting

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite struct MarkdownHTMLTests {
    /// Collects element names and character data of an XML document.
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [String] = []
        var text = ""

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
        ) {
            elements.append(elementName)
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
    }

    func parse(_ html: String) -> Collector {
        let parser = XMLParser(data: Data(html.utf8))
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse(), "not well-formed: \(parser.parserError.map { "\($0)" } ?? "")")
        return collector
    }

    @Test func theReportsMarkdownBecomesTheSameStructureInHTML() {
        let markdown = """
            # Capacity plan: e2e, as of 31 Mar 2026

            **By 30 Jun 2026: 8 prefill GPUs.** Two lines
            of one paragraph.

            > The forecast ends early.

            ## The ratio

            ![Daily ratio](ratio.svg)

            | model | GPUs |
            |---|---:|
            | chat-70b | 8 |
            | a \\| b | 16 |

            - Files loaded: 3; failed: 1.
              - `logs/a.jsonl.gz`: truncated
            - Rejected lines: 0.
            """
        let svg =
            "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"1\" height=\"1\"/></svg>\n"
        let html = MarkdownHTML.document(markdown: markdown, figures: ["ratio.svg": svg])
        let parsed = parse(html)
        #expect(parsed.elements.filter { $0 == "h1" }.count == 1)
        #expect(parsed.elements.filter { $0 == "h2" }.count == 1)
        #expect(parsed.elements.filter { $0 == "p" }.count == 2)
        #expect(parsed.elements.filter { $0 == "blockquote" }.count == 1)
        #expect(parsed.elements.filter { $0 == "svg" }.count == 1, "the chart is inline")
        #expect(parsed.elements.filter { $0 == "td" }.count == 4, "a backslash-escaped pipe stays in its cell")
        #expect(parsed.elements.filter { $0 == "ul" }.count == 2, "a nested list")
        #expect(parsed.elements.filter { $0 == "li" }.count == 3)
        #expect(parsed.elements.filter { $0 == "code" }.count == 1)
        #expect(parsed.elements.filter { $0 == "strong" }.count == 1)
        #expect(!html.contains("<?xml"), "the chart's XML declaration is dropped")
        #expect(html.contains("<td>a | b</td>"))
        #expect(html.contains("<th class=\"num\">GPUs</th>"))
        #expect(html.contains("<title>Capacity plan: e2e, as of 31 Mar 2026</title>"))
        #expect(html.contains("<p><strong>By 30 Jun 2026: 8 prefill GPUs.</strong> Two lines\nof one paragraph.</p>"))
    }

    @Test func textEscapedForMarkdownIsTextInHTML() {
        let hostile = "<img src=x onerror=alert(1)>|x*_`[a](b) & \"q\""
        let markdown =
            "# Plan for \(MarkdownText.escape(hostile))\n\n| model |\n|---|\n| \(MarkdownText.escape(hostile)) |\n\n- \(MarkdownText.code(hostile))\n"
        let html = MarkdownHTML.document(markdown: markdown, figures: [:])
        let parsed = parse(html)
        #expect(!parsed.elements.contains("img") && !parsed.elements.contains("a"))
        // The parser hands over the text as the log wrote it: once in the title, the heading and the cell.
        #expect(parsed.text.components(separatedBy: hostile).count - 1 == 3, "\(parsed.text)")
        #expect(parsed.text.contains("<img src=x onerror=alert(1)>|x*_'[a](b) & \"q\""), "the code span")
    }

    @Test func aMissingFigureIsLinkedAndUnknownMarkupIsText() {
        let html = MarkdownHTML.document(markdown: "![chart](gone.svg)\n\na ** b & c < d\n", figures: [:])
        let parsed = parse(html)
        #expect(html.contains("<img src=\"gone.svg\" alt=\"chart\" />"))
        #expect(!parsed.elements.contains("strong"), "an unclosed ** is text")
        #expect(parsed.text.contains("a ** b & c < d"))
    }
}
