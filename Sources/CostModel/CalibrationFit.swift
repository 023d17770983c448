import Foundation
import PhasecastCore

/// The cost model's free constants, fitted to published measurements: per architecture class
/// the efficiencies and overheads of `Calibration`, per engine a scale on the overheads and a
/// batch limit. `calibrations()` expands them into one `Calibration` per engine, class and
/// precision, as the `calibration` seed holds them.
public struct CalibrationParameters: Sendable, Equatable {
    /// One constant: its name, the value assumed before any fit (docs/cost-model.md says where
    /// each comes from), and the range a fit may move it in.
    public struct Constant: Sendable {
        public var name: String
        public var prior: Double
        public var range: ClosedRange<Double>
        /// Whether it is a batch limit (fitted on a coarse grid of whole numbers).
        public var isBatch = false
    }

    public static let constants: [Constant] = [
        Constant(name: "dense.mfu_prefill", prior: 0.55, range: 0.2...0.9),
        Constant(name: "dense.fp4_share", prior: 0.6, range: 0.2...1),
        Constant(name: "dense.mbu", prior: 0.8, range: 0.4...0.95),
        Constant(name: "dense.mfu_decode", prior: 0.4, range: 0.05...0.9),
        Constant(name: "dense.step_floor_us_per_layer", prior: 30, range: 1...400),
        Constant(name: "dense.sequence_us_per_layer", prior: 1, range: 0.01...30),
        Constant(name: "moe.mfu_prefill", prior: 0.2, range: 0.03...0.8),
        Constant(name: "moe.fp4_share", prior: 0.6, range: 0.2...1),
        Constant(name: "moe.mbu", prior: 0.7, range: 0.3...0.95),
        Constant(name: "moe.mfu_decode", prior: 0.2, range: 0.02...0.8),
        Constant(name: "moe.step_floor_us_per_layer", prior: 60, range: 1...600),
        Constant(name: "moe.sequence_us_per_layer", prior: 1, range: 0.01...30),
        Constant(name: "moe.expert_imbalance", prior: 1.3, range: 1...3),
        Constant(name: "amd.efficiency_scale", prior: 1, range: 0.2...1.5),
        Constant(name: "amd.overhead_scale", prior: 1, range: 0.25...4),
        Constant(name: "vllm.overhead_scale", prior: 1, range: 0.25...4),
        Constant(name: "sglang.overhead_scale", prior: 1, range: 0.25...4),
        Constant(name: "vllm.max_batch", prior: 256, range: 32...4096, isBatch: true),
        Constant(name: "sglang.max_batch", prior: 1024, range: 32...4096, isBatch: true),
        Constant(name: "trtllm.max_batch", prior: 2048, range: 32...4096, isBatch: true),
    ]

    /// Share of the BF16 peak attention reaches (reference kernel measurements: 0.42–0.54 at
    /// 4k–16k tokens); not fitted.
    public static let mfuAttention = 0.5
    /// Share of HBM engines leave to KV cache (their default memory fractions, 0.85–0.9); not fitted.
    public static let kvMemoryFraction = 0.85

    public var values: [Double]

    public init(values: [Double] = Self.constants.map(\.prior)) {
        self.values = values
    }

    public subscript(_ name: String) -> Double {
        guard let index = Self.constants.firstIndex(where: { $0.name == name }) else { return 1 }
        return values[index]
    }

    /// One `Calibration` per engine, vendor, architecture class and precision, each with its
    /// class's held-out error band.
    public func calibrations(source: String, uncertainty: [ArchitectureClass: Double] = [:]) -> [Calibration] {
        Engine.allCases.flatMap { engine in
            GPUVendor.allCases.flatMap { vendor in
                [ArchitectureClass.dense, .moe].flatMap { architecture in
                    Precision.allCases.map { precision in
                        calibration(
                            engine, vendor, architecture, precision, uncertainty: uncertainty[architecture] ?? 0,
                            source: source)
                    }
                }
            }
        }
    }

    public func calibration(
        _ engine: Engine, _ vendor: GPUVendor, _ architecture: ArchitectureClass, _ precision: Precision,
        uncertainty: Double = 0, source: String = "fit"
    ) -> Calibration {
        let c = architecture.rawValue
        let share = precision == .fp4 ? self["\(c).fp4_share"] : 1
        let efficiency = vendor == .amd ? self["amd.efficiency_scale"] : 1
        let scale =
            (engine == .trtllm ? 1 : self["\(engine.rawValue).overhead_scale"])
            * (vendor == .amd ? self["amd.overhead_scale"] : 1)
        return Calibration(
            engine: engine, vendor: vendor, architecture: architecture, precision: precision,
            mfuPrefill: self["\(c).mfu_prefill"] * share * efficiency, mfuAttention: Self.mfuAttention,
            mbu: min(self["\(c).mbu"] * efficiency, 0.95), mfuDecode: self["\(c).mfu_decode"] * share * efficiency,
            stepFloorMicrosPerLayer: self["\(c).step_floor_us_per_layer"] * scale,
            sequenceMicrosPerLayer: self["\(c).sequence_us_per_layer"] * scale,
            expertImbalance: architecture == .moe ? self["moe.expert_imbalance"] : 1,
            kvMemoryFraction: Self.kvMemoryFraction, maxBatch: Int(self["\(engine.rawValue).max_batch"].rounded()),
            uncertaintyP90: uncertainty, source: source)
    }

    /// Predicts a point under these constants.
    public func predicted(_ point: MeasuredPoint) -> Double {
        let model = RooflineModel(
            llm: point.llm, gpu: point.gpu, precision: point.precision,
            calibration: calibration(point.engine, point.gpu.vendor, point.llm.architecture, point.precision))
        return point.predicted(by: model)
    }
}

/// Fits `CalibrationParameters` to measurements: coordinate descent on the log of each constant,
/// minimizing the mean absolute log error (each source weighted by 1/√points, so that a long
/// sweep does not outvote a table of one) plus a small pull toward the prior, which keeps
/// constants no point constrains where the references put them.
public enum CalibrationFit {
    /// Weight of the pull toward the prior, per constant, on log²(value ÷ prior).
    public static let priorWeight = 0.01

    public static func fit(
        _ points: [MeasuredPoint], start: CalibrationParameters = CalibrationParameters()
    )
        -> CalibrationParameters
    {
        var counts: [String: Int] = [:]
        for point in points { counts[point.source, default: 0] += 1 }
        let weights = points.map { 1 / Double(counts[$0.source] ?? 1).squareRoot() }
        let totalWeight = weights.reduce(0, +)
        func objective(_ parameters: CalibrationParameters) -> Double {
            var loss = 0.0
            for (point, weight) in zip(points, weights) {
                let predicted = parameters.predicted(point)
                let error = predicted > 0 && predicted.isFinite ? abs(log(predicted / point.measured)) : 5
                loss += weight * error
            }
            var pull = 0.0
            for (constant, value) in zip(CalibrationParameters.constants, parameters.values) {
                let distance = log(value / constant.prior)
                pull += distance * distance
            }
            return loss / max(totalWeight, 1) + priorWeight * pull
        }
        var best = start
        var bestLoss = objective(best)
        for step in [0.6, 0.3, 0.15, 0.07] {
            for index in CalibrationParameters.constants.indices {
                let constant = CalibrationParameters.constants[index]
                let current = best.values[index]
                for k in [-2.0, -1, 1, 2] {
                    var candidate = best
                    var value = min(max(current * exp(step * k), constant.range.lowerBound), constant.range.upperBound)
                    if constant.isBatch { value = value.rounded() }
                    guard value != current else { continue }
                    candidate.values[index] = value
                    let loss = objective(candidate)
                    if loss < bestLoss {
                        best = candidate
                        bestLoss = loss
                    }
                }
            }
        }
        return best
    }
}

/// How far the cost model is from measurements it was not fitted on: each source's points
/// predicted by constants fitted without that source (leave-one-source-out), and, beside them,
/// by constants fitted on everything (in-sample). Superseded measurements (an older engine
/// release of a run the seed also holds) take no part in the fit or the summaries; they are
/// predicted by the full fit and shown apart.
public struct CostValidation: Sendable {
    public struct Row: Sendable {
        public var point: MeasuredPoint
        public var heldOut: Double
        public var inSample: Double

        /// Signed relative error of the held-out prediction.
        public var error: Double { (heldOut - point.measured) / point.measured }
        public var inSampleError: Double { (inSample - point.measured) / point.measured }
    }

    /// Median absolute and median signed relative error of a group.
    public struct Summary: Sendable, Equatable {
        public var count: Int
        public var medianAbsolute: Double
        public var medianSigned: Double
        public var inSampleMedianAbsolute: Double
    }

    public var rows: [Row]
    public var fitted: CalibrationParameters

    /// Scores every point, fitting the folds on all cores.
    public static func run(_ points: [MeasuredPoint]) -> CostValidation {
        let current = points.filter { $0.supersededBy == nil }
        let fitted = CalibrationFit.fit(current)
        let sources = Array(Set(current.map(\.source))).sorted()
        let folds = parallelMap(sources.count) { index in
            CalibrationFit.fit(current.filter { $0.source != sources[index] }, start: fitted)
        }
        let foldOf = Dictionary(uniqueKeysWithValues: zip(sources, folds))
        let rows = points.map { point in
            let inSample = fitted.predicted(point)
            let heldOut = point.supersededBy == nil ? (foldOf[point.source]?.predicted(point) ?? 0) : inSample
            return Row(point: point, heldOut: heldOut, inSample: inSample)
        }
        return CostValidation(rows: rows, fitted: fitted)
    }

    /// The summary of the rows that pass `include`.
    public func summary(_ include: (Row) -> Bool) -> Summary {
        let chosen = rows.filter(include)
        return Summary(
            count: chosen.count, medianAbsolute: Self.median(chosen.map { abs($0.error) }),
            medianSigned: Self.median(chosen.map(\.error)),
            inSampleMedianAbsolute: Self.median(chosen.map { abs($0.inSampleError) }))
    }

    /// The summary of a class's current measurements, of one figure or all.
    public func summary(_ architecture: ArchitectureClass, _ figure: ValidationFigure? = nil) -> Summary {
        summary { row in
            row.point.supersededBy == nil && row.point.llm.architecture == architecture
                && (figure.map { row.point.kind == $0 } ?? true)
        }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    /// Each class's held-out error band, as the calibration seed records it.
    public var uncertainty: [ArchitectureClass: Double] {
        [
            .dense: (p90AbsoluteError(.dense) * 1000).rounded() / 1000,
            .moe: (p90AbsoluteError(.moe) * 1000).rounded() / 1000,
        ]
    }

    /// The held-out error band of a class: the 90th percentile of absolute errors, the figure
    /// a plan adds as cost-model uncertainty.
    public func p90AbsoluteError(_ architecture: ArchitectureClass) -> Double {
        let errors = rows.filter { $0.point.supersededBy == nil && $0.point.llm.architecture == architecture }
            .map { abs($0.error) }.sorted()
        guard !errors.isEmpty else { return 0 }
        return errors[min(errors.count - 1, Int((0.9 * Double(errors.count - 1)).rounded(.up)))]
    }
}
