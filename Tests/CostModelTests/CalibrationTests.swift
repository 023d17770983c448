import Foundation
import Testing

@testable import CostModel

/// The cost model against published measurements it was not fitted on
/// (`Pipelines/seeds/measurements.csv`, leave-one-source-out), and the calibration seed against
/// the fit that produced it.
@Suite struct CalibrationTests {
    static let catalog: Catalog = {
        do { return try Catalog.bundled() } catch { fatalError("\(error)") }
    }()

    static let validation: CostValidation = {
        do { return CostValidation.run(try MeasuredPoint.bundled(catalog: catalog)) } catch { fatalError("\(error)") }
    }()

    @Test func heldOutErrorsMeetTheTargets() {
        let dense = Self.validation.summary(.dense)
        let moe = Self.validation.summary(.moe)
        print(
            String(
                format:
                    "held out: dense %.1f %% (signed %+.1f %%, %d points), MoE %.1f %% (signed %+.1f %%, %d points)",
                dense.medianAbsolute * 100, dense.medianSigned * 100, dense.count, moe.medianAbsolute * 100,
                moe.medianSigned * 100, moe.count))
        #expect(dense.count >= 15 && moe.count >= 30)
        #expect(dense.medianAbsolute <= 0.15)
        #expect(moe.medianAbsolute <= 0.30)
        // A systematic optimist under-provisions every plan: neither class may lean beyond ±10 %.
        #expect(abs(dense.medianSigned) <= 0.10)
        #expect(abs(moe.medianSigned) <= 0.10)
        // Every figure the seed has points for is scored.
        for figure in ValidationFigure.allCases {
            #expect(Self.validation.summary(.moe, figure).count > 0)
        }
    }

    @Test func heldOutIsNoBetterThanInSample() {
        // Leave-one-source-out must not be a disguised in-sample fit.
        for architecture in [ArchitectureClass.dense, .moe] {
            let s = Self.validation.summary(architecture)
            #expect(s.medianAbsolute >= s.inSampleMedianAbsolute - 1e-9)
        }
    }

    @Test func theCalibrationSeedIsTheFitOfTheMeasurements() throws {
        // Regenerate with `phasecast cost --validate --write-calibration Pipelines/seeds/calibration.csv`
        // after changing the measurements or the model.
        let fitted = Self.validation.fitted.calibrations(source: "", uncertainty: Self.validation.uncertainty)
        #expect(Self.catalog.calibrations.count == fitted.count)
        for expected in fitted {
            let seed = try Self.catalog.calibration(
                expected.engine, expected.vendor, expected.architecture, expected.precision)
            for (a, b) in [
                (seed.mfuPrefill, expected.mfuPrefill), (seed.mbu, expected.mbu), (seed.mfuDecode, expected.mfuDecode),
                (seed.stepFloorMicrosPerLayer, expected.stepFloorMicrosPerLayer),
                (seed.sequenceMicrosPerLayer, expected.sequenceMicrosPerLayer),
                (seed.expertImbalance, expected.expertImbalance),
            ] {
                #expect(abs(a / b - 1) < 1e-3, "\(expected.engine) \(expected.vendor) \(expected.architecture)")
            }
            #expect(seed.maxBatch == expected.maxBatch)
            #expect(abs(seed.uncertaintyP90 - expected.uncertaintyP90) < 1e-3)
        }
    }

    @Test func everyMeasurementIsCitedAndSupersededRowsNameTheirSuccessor() throws {
        let points = try MeasuredPoint.bundled(catalog: Self.catalog)
        #expect(points.allSatisfy { !$0.citation.isEmpty && !$0.source.isEmpty })
        let superseded = points.filter { $0.supersededBy != nil }
        for point in superseded {
            // A superseded row's source keeps a current row of the same hardware and engine.
            #expect(
                points.contains {
                    $0.supersededBy == nil && $0.gpu.name == point.gpu.name && $0.engine == point.engine
                        && $0.llm.name == point.llm.name
                }, "line \(point.line)")
        }
    }
}
