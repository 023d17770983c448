import Foundation
import PhasecastCore
import TestSupport
import Testing

@testable import CostModel

/// phasecast's estimates against published measurements and against AIConfigurator.
@Suite struct CalibrationTests {
    static let catalog: Catalog = {
        do { return try Catalog.bundled() } catch { fatalError("\(error)") }
    }()

    /// One measured point: TensorRT-LLM's offline throughput, whose setup is fully specified.
    struct Point {
        var model: String
        var gpu: String
        var precision: Precision
        var tp: Int
        var isl: Double
        var osl: Double
        var measured: Double
        var architecture: ArchitectureClass
    }

    static func points() throws -> [Point] {
        let text = try String(contentsOfFile: Fixtures.path("measurements.csv"), encoding: .utf8)
        let table = try CSVTable(text: text)
        return table.rows.indices.compactMap { row in
            guard table.cell(row, "source").contains("TensorRT-LLM@"),
                let precision = Precision(rawValue: table.cell(row, "precision")),
                let tp = Int(table.cell(row, "tp")), let isl = Double(table.cell(row, "isl")),
                let osl = Double(table.cell(row, "osl")),
                let measured = Double(table.cell(row, "per_gpu_tokens_per_s")),
                let llm = catalog.matchingLLM(table.cell(row, "model"))
            else { return nil }
            return Point(
                model: table.cell(row, "model"), gpu: table.cell(row, "gpu"), precision: precision, tp: tp, isl: isl,
                osl: osl, measured: measured, architecture: llm.architecture)
        }
    }

    static func error(_ point: Point) throws -> Double {
        let model = try RooflineModel(catalog: catalog, llm: point.model, gpu: point.gpu, precision: point.precision)
        let predicted = model.offlineThroughputPerGPU(inputTokens: point.isl, outputTokens: point.osl, tp: point.tp)
        return (predicted - point.measured) / point.measured
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.map(abs).sorted()
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    @Test func denseModelsAreWithinFifteenPercentOfMeasuredThroughput() throws {
        let dense = try Self.points().filter { $0.architecture == .dense }
        #expect(dense.count == 19)
        let errors = try dense.map(Self.error)
        for (point, error) in zip(dense, errors) {
            print(
                String(
                    format: "%@ %@ TP%d %@ %.0f/%.0f: %+.1f %%", point.model, point.gpu, point.tp,
                    point.precision.rawValue, point.isl, point.osl, error * 100))
        }
        let mdape = Self.median(errors)
        print(String(format: "dense median absolute percentage error: %.1f %%", mdape * 100))
        #expect(mdape <= 0.15)
    }

    @Test func moeModelsAreReportedSeparately() throws {
        let moe = try Self.points().filter { $0.architecture == .moe }
        #expect(moe.count == 4)
        let errors = try moe.map(Self.error)
        for (point, error) in zip(moe, errors) {
            print(
                String(
                    format: "%@ %@ TP%d %@ %.0f/%.0f: %+.1f %%", point.model, point.gpu, point.tp,
                    point.precision.rawValue, point.isl, point.osl, error * 100))
        }
        let mdape = Self.median(errors)
        print(String(format: "MoE median absolute percentage error: %.1f %% over %d points", mdape * 100, moe.count))
        // The MoE estimate is looser; it is reported, and it must stay within a factor of two.
        #expect(errors.allSatisfy { abs($0) < 1.0 })
    }
}
