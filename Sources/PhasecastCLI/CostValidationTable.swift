import CostModel
import Foundation

/// How `phasecast cost --validate` prints its scores: a row per measurement, then the median
/// errors by class and figure, held out and in sample.
enum CostValidationTable {
    static func text(_ validation: CostValidation) -> String {
        var text =
            "| source | model | GPU | engine | worker | ISL/OSL | batch | figure | measured | predicted | error |\n"
        text += "|---|---|---|---|---|---|---|---|---|---|---|\n"
        for row in validation.rows where row.point.supersededBy == nil {
            let p = row.point
            let batch = p.batch.map { String(format: "%.0f", $0) } ?? "max"
            text += String(
                format: "| %@ | %@ | %@ | %@ | %@ | %.0f/%.0f | %@ | %@ %@ | %.4g | %.4g | %+.0f %% |\n", p.source,
                p.llm.name, p.gpu.name, p.engine.rawValue, p.layout.description, p.inputTokens, p.outputTokens, batch,
                p.kind.rawValue, p.figure.rawValue, p.measured, row.heldOut, row.error * 100)
        }
        text += "\nLeave-one-source-out: each source predicted by a calibration fitted without it.\n\n"
        let superseded = validation.summary { $0.point.supersededBy != nil }
        if superseded.count > 0 {
            text += String(
                format:
                    "%d superseded measurements (older engine releases of runs above) are not fitted or summarized;"
                    + " the fit predicts them with a median absolute error of %.0f %% (signed %+.0f %%).\n\n",
                superseded.count, superseded.medianAbsolute * 100, superseded.medianSigned * 100)
        }
        text += "| class | figure | points | median abs. error held out | median signed error | in sample |\n"
        text += "|---|---|---|---|---|---|\n"
        for architecture in [ArchitectureClass.dense, .moe] {
            for figure in [ValidationFigure?.none] + ValidationFigure.allCases.map(Optional.some) {
                let s = validation.summary(architecture, figure)
                guard s.count > 0 else { continue }
                text += String(
                    format: "| %@ | %@ | %d | %.1f %% | %+.1f %% | %.1f %% |\n", architecture.rawValue,
                    figure?.rawValue ?? "all", s.count, s.medianAbsolute * 100, s.medianSigned * 100,
                    s.inSampleMedianAbsolute * 100)
            }
        }
        text += String(
            format: "\nP90 absolute error held out (the plan's cost-model uncertainty): dense %.0f %%, MoE %.0f %%\n",
            validation.p90AbsoluteError(.dense) * 100, validation.p90AbsoluteError(.moe) * 100)
        return text
    }

    static func json(_ validation: CostValidation) -> String {
        var summaries: [[String: Any]] = []
        for architecture in [ArchitectureClass.dense, .moe] {
            for figure in [ValidationFigure?.none] + ValidationFigure.allCases.map(Optional.some) {
                let s = validation.summary(architecture, figure)
                guard s.count > 0 else { continue }
                summaries.append([
                    "class": architecture.rawValue, "figure": figure?.rawValue ?? "all", "points": s.count,
                    "median_abs_error": s.medianAbsolute, "median_signed_error": s.medianSigned,
                    "in_sample_median_abs_error": s.inSampleMedianAbsolute,
                ])
            }
        }
        let rows: [[String: Any]] = validation.rows.map { row in
            [
                "source": row.point.source, "line": row.point.line, "llm": row.point.llm.name,
                "gpu": row.point.gpu.name,
                "engine": row.point.engine.rawValue, "figure": row.point.figure.rawValue,
                "kind": row.point.kind.rawValue, "measured": row.point.measured, "predicted": row.heldOut,
                "predicted_in_sample": row.inSample, "superseded_by": row.point.supersededBy ?? "",
            ]
        }
        let object: [String: Any] = [
            "summaries": summaries, "points": rows,
            "p90_abs_error": ["dense": validation.p90AbsoluteError(.dense), "moe": validation.p90AbsoluteError(.moe)],
        ]
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The calibration seed for fitted constants.
    static func calibrationCSV(_ validation: CostValidation, points: Int) -> String {
        var text =
            "engine,vendor,architecture,precision,mfu_prefill,mfu_attention,mbu,mfu_decode,step_floor_us_per_layer,"
            + "sequence_us_per_layer,expert_imbalance,kv_memory_fraction,max_batch,uncertainty_p90,source\n"
        let source =
            "fitted by phasecast cost --validate --write-calibration to the \(points) current points of measurements.csv; see docs/cost-model.md"
        for c in validation.fitted.calibrations(source: source, uncertainty: validation.uncertainty) {
            text += String(
                format: "%@,%@,%@,%@,%.4g,%.4g,%.4g,%.4g,%.4g,%.4g,%.4g,%.4g,%d,%.3f,\"%@\"\n", c.engine.rawValue,
                c.vendor.rawValue, c.architecture.rawValue, c.precision.rawValue, c.mfuPrefill, c.mfuAttention, c.mbu,
                c.mfuDecode,
                c.stepFloorMicrosPerLayer, c.sequenceMicrosPerLayer, c.expertImbalance, c.kvMemoryFraction,
                c.maxBatch, c.uncertaintyP90, c.source)
        }
        return text
    }
}
