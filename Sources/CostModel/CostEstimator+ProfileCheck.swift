import PhasecastCore

/// What makes a deployment profile unservable, found before any data is read: the name of the
/// profile's field at fault and why.
public struct ProfileProblem: PhasecastError, Equatable, Sendable {
    /// The profile's field: `llm`, `gpu`, `precision`, `engine`, `tp_prefill`, `tp_decode`, `ttft_ms` or `itl_ms`.
    public var field: String
    public var reason: String

    public var description: String { "\(field): \(reason)" }
    /// The profile was asked for by the user (a pipeline file turns it into a ConfigError, 78).
    public var exitStatus: ExitStatus { .usage }
}

extension CostEstimator {
    /// The request shape a profile is checked at before its own traffic is known.
    public static let nominalWorkload = Workload(promptTokens: 1000, cachedTokens: 0, outputTokens: 200)

    /// Checks that `profile` can be served: its LLM and GPU are in the catalog, the GPU has the
    /// precision, the tensor parallelism holds the weights, and at `workload` each phase can meet
    /// its latency target at all. Throws the first problem found.
    public func check(_ profile: DeploymentProfile, workload: Workload = nominalWorkload) throws(ProfileProblem) {
        do {
            _ = try catalog.llm(named: profile.llm)
        } catch {
            throw ProfileProblem(field: "llm", reason: error.description)
        }
        do {
            _ = try catalog.gpu(named: profile.gpu)
        } catch {
            throw ProfileProblem(field: "gpu", reason: error.description)
        }
        let model: RooflineModel
        do {
            model = try self.model(profile)
        } catch let error as PhasecastError {
            throw ProfileProblem(field: "precision", reason: error.description)
        } catch {
            throw ProfileProblem(field: "precision", reason: String(describing: error))
        }
        let fits = model.candidateLayouts()
        guard !fits.isEmpty else {
            throw ProfileProblem(
                field: "gpu",
                reason: CostModelError.doesNotFit(
                    llm: model.llm.name, gpu: model.gpu.name, precision: profile.precision
                )
                .description)
        }
        let sizes = Array(Set(fits.map(\.gpus))).sorted()
        for (field, tp) in [("tp_prefill", profile.tpPrefill), ("tp_decode", profile.tpDecode)] {
            if let tp, profile.layouts(for: model, gpus: tp).isEmpty {
                throw ProfileProblem(
                    field: field,
                    reason:
                        "\(model.llm.name) at \(profile.precision.rawValue) does not fit on \(tp) \(model.gpu.name); worker sizes that fit: \(sizes.map(String.init).joined(separator: ", "))"
                )
            }
        }
        let prefill = profile.layouts(for: model, gpus: profile.tpPrefill).map {
            model.prefill(workload, layout: $0, ttftMs: profile.ttftMs)
        }
        if !prefill.contains(where: { $0.tokensPerSecondPerGPUAtSLA > 0 }) {
            let note = prefill.max(by: CostEstimator.worsePrefill)?.note.map { ": \($0)" } ?? ""
            throw ProfileProblem(
                field: "ttft_ms",
                reason:
                    "no prefill worker meets a TTFT of \(DeploymentProfile.format(profile.ttftMs)) ms for a \(Int(workload.promptTokens))-token prompt\(note)"
            )
        }
        let decode = profile.layouts(for: model, gpus: profile.tpDecode).map {
            model.decode(workload, layout: $0, itlMs: profile.itlMs)
        }
        if !decode.contains(where: { $0.tokensPerSecondPerGPU > 0 }) {
            let note = decode.max(by: CostEstimator.worseDecode)?.note.map { ": \($0)" } ?? ""
            throw ProfileProblem(
                field: "itl_ms",
                reason: "no decode worker meets an ITL of \(DeploymentProfile.format(profile.itlMs)) ms\(note)")
        }
    }
}
