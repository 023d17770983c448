import Foundation
import PhasecastCore
import Planning

/// The report's sections around the plan: what changed, the ratio, the forecast and its
/// accuracy, the intraday profile, assumptions and data quality.
extension CapacityReport {
    func whatChanged() -> String {
        var md = "## What changed since the last report\n\n"
        guard let previous = input.previous, let cell = headlineCell else {
            return md + "This is the pipeline's first report.\n\n"
        }
        md +=
            "Previous report: as of \(Horizon.shortDate(previous.asOfDay)).\n\n| | then | now | change |\n|---|---:|---:|---:|\n"
        for phase in Phase.allCases {
            let then = previous.gpus[phase] ?? 0
            let now = cell.gpus(phase)
            md +=
                "| \(phase.rawValue) GPUs (P\(plan.headlineQuantile), to \(Horizon.shortDate(previous.horizonEndDay)) then, \(Horizon.shortDate(cell.horizon.lastDay)) now) | \(then) | \(now) | \(Self.signed(now - then)) |\n"
        }
        let dollarsNow = plan.dollarsPerMonth(cell.pools)
        let dollarsChange = dollarsNow - previous.dollarsPerMonth
        md +=
            "| $ a month | \(Self.money(previous.dollarsPerMonth)) | \(Self.money(dollarsNow)) | \(dollarsChange < 0 ? "−" : dollarsChange > 0 ? "+" : "")\(Self.money(abs(dollarsChange))) |\n"
        let now = recentTokenRatio()
        var ratioChange = "–"
        if let then = previous.tokenRatio, let now {
            ratioChange = String(format: "%@%.2f", now < then ? "−" : now > then ? "+" : "", abs(now - then))
        }
        md +=
            "| prefill:decode tokens, last 7 days | \(previous.tokenRatio.map { String(format: "%.2f", $0) } ?? "–") | \(now.map { String(format: "%.2f", $0) } ?? "–") | \(ratioChange) |\n"
        md += "\n"
        if previous.tokenForecastDays > 0 {
            let parts = Phase.allCases.compactMap { phase in
                previous.tokenForecastError[phase].map {
                    String(format: "%.1f %% (%@)", $0 * 100, phase == .prefill ? "prefill tokens" : "output tokens")
                }
            }
            md +=
                "The previous run's forecasts of the fleet's tokens missed the \(previous.tokenForecastDays) whole day\(previous.tokenForecastDays == 1 ? "" : "s") since by \(parts.joined(separator: " and ")), Σ|actual − forecast| ÷ Σ actual.\n\n"
        }
        return md
    }

    /// Mean token ratio of the last 7 whole days.
    func recentTokenRatio() -> Double? {
        let recent = input.history.filter { $0.coverage >= 0.98 && $0.day <= input.asOfDay }.suffix(7)
        let prefill = recent.reduce(0) { $0 + $1.prefillTokens }
        let output = recent.reduce(0) { $0 + $1.outputTokens }
        return output > 0 ? prefill / output : nil
    }

    func ratioSection() -> String {
        var md = "## The prefill:decode ratio\n\n![Daily prefill:decode ratio](ratio.svg)\n\n"
        if let trend = ratioTrend() {
            md += String(
                format:
                    "Over the last %d whole days the token ratio (prefill tokens per output token) went from %.2f to %.2f (fitted trend): %@. ",
                trend.days, trend.start, trend.end, trend.phrase)
        }
        let recent = input.history.filter { $0.coverage >= 0.98 }.suffix(7)
        let prefill = recent.reduce(0) { $0 + $1.prefillGPUHours }
        let decode = recent.reduce(0) { $0 + $1.decodeGPUHours }
        if decode > 0 {
            md += String(
                format: "In GPU-time, prefill took %.2f GPU-hours per decode GPU-hour over the last 7 days.",
                prefill / decode)
        }
        return md + "\n\n"
    }

    func forecastSection() -> String {
        var md = "## Forecast of busy GPU-hours\n\n![GPU-hours per phase, history and forecast](gpu_hours.svg)\n\n"
        md +=
            "Each series' method was chosen by a rolling-origin backtest on the series itself (MASE below 1 beats the seasonal naive forecast; a launch or a ramp inside the backtest windows raises it, since it scales errors by the history's typical week-over-week change).\n\n"
        var methods = MarkdownTable(["model", "phase", "method", "backtest MASE", "notes"], alignment: "lllrl")
        for choice in input.methods {
            methods.row([
                MarkdownText.escape(choice.model), choice.phase.rawValue, choice.method,
                choice.backtestMASE.map { String(format: "%.2f", $0) } ?? "–",
                MarkdownText.escape(choice.notes.joined(separator: "; ")),
            ])
        }
        md += methods.markdown
        md += "\n### Realized accuracy of past forecasts\n\n"
        if input.realized.isEmpty {
            md +=
                "No stored forecast of this pipeline has reached days observed since; realized accuracy appears once one has.\n\n"
        } else {
            md +=
                "Stored forecasts of all models' GPU-hours against what happened, by days ahead. The error is Σ|actual − forecast| ÷ Σ actual; MASE divides the errors by the history's own week-over-week change, so values above 1 lose to repeating last week, and a launch or ramp inside the scored days inflates them. Coverage should be near 0.80 and 0.95.\n\n"
            var realized = MarkdownTable(
                ["days ahead", "phase", "days scored", "error", "MASE", "coverage 80 %", "coverage 95 %"],
                alignment: "llrrrrr")
            for row in input.realized {
                realized.row([
                    row.horizon, row.phase.rawValue, String(row.points),
                    row.relativeError.map { String(format: "%.1f %%", 100 * $0) } ?? "–",
                    String(format: "%.2f", row.mase), String(format: "%.2f", row.coverage80),
                    String(format: "%.2f", row.coverage95),
                ])
            }
            md += realized.markdown + "\n"
        }
        return md
    }

    func intradaySection() -> String {
        var md = "## Intraday profile\n\n![Share of a day's busy GPU-time by hour](intraday.svg)\n\n"
        md +=
            "Peak factors by weekday (busiest hour ÷ mean hour of the hour-of-week profile) and minute variation (relative standard deviation of minute demand around its hour, Poisson part removed), over the last \(input.lookbackDays) days. For comparison, the busiest minute ÷ busiest hour as observed, Poisson noise of the logged requests included:\n\n"
        var table = MarkdownTable(
            [
                "model", "phase", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "minute variation",
                "observed busiest minute ÷ hour", "days",
            ],
            alignment: "llrrrrrrrrrr")
        for row in input.shapes {
            table.row(
                [MarkdownText.escape(row.model), row.phase.rawValue]
                    + row.shape.peakFactor.map { String(format: "%.2f", $0) }
                    + [
                        String(format: "%.0f %%", row.shape.minuteVariation * 100),
                        String(format: "%.2f", row.shape.observedBurst), String(row.shape.days),
                    ])
        }
        return md + table.markdown + "\n"
    }

    func assumptionsSection() -> String {
        var md = "## Assumptions\n\n"
        var models = MarkdownTable(
            [
                "model", "profile", "deployment", "mean prompt / cached / output tokens",
                "prefill tok/s per GPU (bound)", "decode tok/s per GPU (bound)",
            ], alignment: "llllrr")
        for a in input.assumptions {
            models.row([
                MarkdownText.escape(a.model), MarkdownText.escape(a.profile), MarkdownText.escape(a.summary),
                String(format: "%.0f / %.0f / %.0f", a.meanPromptTokens, a.meanCachedTokens, a.meanOutputTokens),
                String(format: "%.0f (%@)", a.prefillTokensPerSecondPerGPU, a.prefillBound),
                String(format: "%.0f (%@)", a.decodeTokensPerSecondPerGPU, a.decodeBound),
            ])
        }
        md += models.markdown
        let policy = input.policy
        md +=
            "\n- Target utilization: prefill \(Self.decimal(policy.targetUtilization[.prefill] ?? 0.8)), decode \(Self.decimal(policy.targetUtilization[.decode] ?? 0.8)) (prefill also at most what its TTFT target allows under queueing); \(policy.spareWorkers) spare worker(s) per model and phase.\n"
        md +=
            "- Quantiles: P50 is the forecast; P90 the upper bound of its 80 % interval; P95 between that and the upper 95 % bound, where a normal distribution puts it.\n"
        md +=
            "- Demand on a day is its forecast busy GPU-hours × that weekday's peak factor × the burst factor, measured over the last \(input.lookbackDays) days of each model's traffic.\n"
        md +=
            "- GPU specifications, prices and TDP: the `gpus` seed (sources below); prices marked `pipeline` were set in the pipeline file.\n\n"
        var gpus = MarkdownTable(
            ["GPU", "$/GPU-hour", "price from", "TDP", "specification source"], alignment: "lrlrl")
        for (gpu, source, priceSource) in input.quality.seedSources {
            let economics = plan.economics[gpu]
            gpus.row([
                gpu, String(format: "%.2f", economics?.pricePerHour ?? 0),
                economics?.priceSource == "pipeline" ? "pipeline file" : priceSource,
                "\(Int(economics?.tdpWatts ?? 0)) W", source,
            ])
        }
        return md + gpus.markdown + "\n"
    }

    func qualitySection() -> String {
        let q = input.quality
        var md = "## Data quality\n\n"
        md +=
            "- Files loaded: \(q.filesLoaded); failed: \(q.failedFiles.count)\(q.failedFiles.isEmpty ? "" : " (what failed is not in these figures and is retried on every run)").\n"
        for file in q.failedFiles {
            let kept = file.earlierRowsKept ? " — the rows of this path's earlier content are kept in the figures" : ""
            // Ingest's messages start with the path; the line already names it.
            let error =
                file.error.hasPrefix(file.path + ": ") ? String(file.error.dropFirst(file.path.count + 2)) : file.error
            md += "  - \(MarkdownText.code(file.path)): \(MarkdownText.escape(error))\(kept)\n"
        }
        for problem in q.freshnessProblems { md += "- **Freshness: \(MarkdownText.escape(problem))**\n" }
        if let newest = q.newestRequestMicros {
            md += "- Newest request: \(UTCTime.isoMinute(micros: newest)) UTC.\n"
        }
        if !q.quarantinedFiles.isEmpty {
            md +=
                "- Quarantined (acknowledged as bad with `phasecast quarantine`; not read, not failing the run): \(q.quarantinedFiles.count)\n"
            for file in q.quarantinedFiles {
                md += "  - \(MarkdownText.code(file.path)): \(MarkdownText.escape(file.reason))\n"
            }
        }
        md += "- Rejected lines: \(q.rejectedLines)"
        if !q.rejectReasons.isEmpty {
            md +=
                " — "
                + q.rejectReasons.map { "\($0.count) × \(MarkdownText.escape($0.reason))" }.joined(separator: "; ")
        }
        md += " (all in the `v_rejects` view).\n"
        if !q.skippedLines.isEmpty {
            md +=
                "- Skipped lines (well-formed, not served requests; not counted as rejects): "
                + q.skippedLines.map { "\($0.lines) \(MarkdownText.escape($0.kind))" }
                .joined(separator: ", ") + " (per file in `source_file_skips`).\n"
        }
        if q.aggregatedFiles > 0 {
            md +=
                "- Usage aggregates: \(q.aggregatedFiles) file\(q.aggregatedFiles == 1 ? " holds" : "s hold") usage totals (the OpenAI Usage API's buckets), not requests; each total is spread evenly over its bucket as requests of equal size, so their days are exact but their intraday peaks and length mix are not measured (`source_files.aggregated`).\n"
        }
        for warning in q.fileWarnings {
            md += "- Warning, \(MarkdownText.code(warning.path)): \(MarkdownText.escape(warning.warning)).\n"
        }
        for sampled in q.sampledFiles {
            md +=
                "- Sampled logs: \(sampled.files) file\(sampled.files == 1 ? "" : "s") hold 1 in \(sampled.rate) requests; every count, token and GPU-hour from them is multiplied by \(sampled.rate) (their raw rows stay as logged).\n"
        }
        if q.emptyDays.isEmpty {
            md += "- No day without traffic inside the observed span.\n"
        } else {
            md += "- Days without any traffic: " + q.emptyDays.map(Horizon.shortDate).joined(separator: ", ") + ".\n"
        }
        for note in q.forecastNotes { md += "- Forecast: \(note).\n" }
        return md
    }
}
