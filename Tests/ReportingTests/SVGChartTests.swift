import Foundation
import Testing

@testable import Reporting

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite struct SVGChartTests {
    /// Parses `svg` as XML and collects the elements by name with their attributes.
    final class ElementCollector: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String])] = []
        var texts: [String] = []

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
        ) {
            elements.append((elementName, attributeDict))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { texts.append(string) }
    }

    func parse(_ svg: String) throws -> ElementCollector {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = ElementCollector()
        parser.delegate = collector
        #expect(parser.parse(), "the chart is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "")")
        return collector
    }

    @Test func aChartIsWellFormedXMLWithItsTitleEscaped() throws {
        var chart = SVGChart(title: "Prefill <P90> & decode", yLabel: "GPU-hours \"per day\"")
        chart.lines = [SVGChart.Line(label: "a & b", color: "#1f77b4", points: [(0, 1), (1, 2), (2, 3)])]
        chart.bands = [SVGChart.Band(label: "80 %", color: "#1f77b4", opacity: 0.2, points: [(2, 2, 4), (3, 2.5, 5)])]
        chart.marker = (2, "cutoff")
        let collected = try parse(chart.render())
        #expect(collected.elements.first?.name == "svg")
        // The parser hands text over in pieces split at entities.
        let text = collected.texts.joined()
        #expect(text.contains("Prefill <P90> & decode"))
        #expect(text.contains("GPU-hours \"per day\""))
        #expect(text.contains("a & b"))
        #expect(collected.elements.filter { $0.name == "polyline" }.count == 1)
        #expect(collected.elements.filter { $0.name == "polygon" }.count == 1)
    }

    @Test func aLongLegendWrapsInsideThePictureInsteadOfRunningOffItsEdge() throws {
        var chart = SVGChart(title: "t", yLabel: "y")
        chart.lines = (0..<4).map {
            SVGChart.Line(label: "a rather long line label \($0)", color: "black", points: [(0, 1), (1, 2)])
        }
        chart.bands = (0..<4).map {
            SVGChart.Band(label: "a band label \($0) %", color: "red", opacity: 0.2, points: [(0, 1, 2), (1, 1, 3)])
        }
        let collected = try parse(chart.render())
        let svg = try #require(collected.elements.first { $0.name == "svg" })
        let height = try #require(Double(svg.attributes["height"] ?? ""))
        #expect(height > chart.height, "a second legend row makes the picture taller")
        let labels = collected.elements.filter { $0.name == "text" }.compactMap { element -> (Double, Double)? in
            guard let x = Double(element.attributes["x"] ?? ""), let y = Double(element.attributes["y"] ?? "") else {
                return nil
            }
            return (x, y)
        }
        let legend = labels.filter { $0.1 > chart.height - 30 }
        #expect(legend.count == 8)
        for (_, y) in legend { #expect(y <= height, "below the picture: \(y)") }
        // Every row ends inside the right margin.
        let rows = chart.legendRows(from: 70, to: chart.width - 20)
        #expect(rows.count >= 2)
        for row in rows {
            let last = try #require(row.last)
            #expect(last.x + 30 + Double(last.label.count) * 6.5 <= chart.width - 20, "\(last.label) at \(last.x)")
        }
    }

    @Test func pointsLandInsideThePlotAreaWithLargerValuesHigher() throws {
        var chart = SVGChart(title: "t", yLabel: "y")
        chart.lines = [SVGChart.Line(label: "l", color: "black", points: [(10, 0), (11, 50), (12, 100)])]
        let collected = try parse(chart.render())
        let polyline = try #require(collected.elements.first { $0.name == "polyline" })
        let points = try #require(polyline.attributes["points"]).split(separator: " ").map {
            $0.split(separator: ",").map { Double($0)! }
        }
        #expect(points.count == 3)
        for point in points {
            #expect(point[0] >= 0 && point[0] <= chart.width)
            #expect(point[1] >= 0 && point[1] <= chart.height)
        }
        // SVG y grows downwards: 100 is drawn above 50, and 50 above 0.
        #expect(points[2][1] < points[1][1] && points[1][1] < points[0][1])
        #expect(points[0][0] < points[1][0] && points[1][0] < points[2][0])
    }

    @Test func nonFiniteValuesAreLeftOutOfTheLine() throws {
        var chart = SVGChart(title: "t", yLabel: "y")
        chart.lines = [SVGChart.Line(label: "l", color: "black", points: [(0, 1), (1, .nan), (2, .infinity), (3, 2)])]
        let collected = try parse(chart.render())
        let polyline = try #require(collected.elements.first { $0.name == "polyline" })
        #expect(try #require(polyline.attributes["points"]).split(separator: " ").count == 2)
    }

    @Test func ticksAreRoundAndCoverTheRange() {
        let ticks = SVGChart.niceTicks(low: 0, high: 87)
        #expect(ticks == [0, 20, 40, 60, 80, 100])
        let small = SVGChart.niceTicks(low: 0, high: 0.37)
        #expect(small.first == 0 && small.last! >= 0.37)
        #expect(zip(small, small.dropFirst()).allSatisfy { abs(($1 - $0) - 0.1) < 1e-12 })
    }

    @Test func axisNumbersAreShort() {
        #expect(SVGChart.number(1_500_000) == "1.5M")
        #expect(SVGChart.number(25_000) == "25k")
        #expect(SVGChart.number(40) == "40")
        #expect(SVGChart.number(2.5) == "2.5")
        #expect(SVGChart.number(0.25) == "0.25")
    }

    @Test func dayLabelsAreCivilDates() {
        // 2026-03-03 is day 20515 since 1970-01-01.
        #expect(SVGChart.dayLabel(20515) == "3 Mar")
        #expect(SVGChart.dayLabel(0) == "1 Jan")
    }
}
