import Foundation
import PhasecastCore
import Planning

/// The capacity report of one pipeline run: `capacity.md` and the CSV and SVG files it links.
/// Pure: every file is a function of the `ReportInput`, so the same input writes the same bytes.
public struct CapacityReport: Sendable {
    public let input: ReportInput

    public init(_ input: ReportInput) { self.input = input }

    /// File name → contents.
    public func files() -> [(name: String, text: String)] {
        [
            ("capacity.md", markdown()), ("plan.csv", planCSV()), ("daily.csv", dailyCSV()),
            ("forecast.csv", forecastCSV()),
            ("ratio.svg", ratioChart()), ("gpu_hours.svg", gpuHoursChart()), ("intraday.svg", intradayChart()),
        ]
    }

    var plan: CapacityPlan { input.plan }

    /// The horizon the headline speaks of: the one reaching furthest.
    var headlineHorizon: Horizon? { plan.horizons.max { $0.lastDay < $1.lastDay } }

    var headlineCell: PlanCell? {
        headlineHorizon.flatMap { plan.baseline.cell($0.key, plan.headlineQuantile) }
    }

    // MARK: - Sentences

    /// "16 H200" or "8 H100 + 16 H200".
    static func gpuList(_ pools: [FleetPool], phase: Phase) -> String {
        let members = pools.filter { $0.phase == phase && $0.gpus > 0 }
        guard !members.isEmpty else { return "0" }
        var byType: [String: Int] = [:]
        for pool in members { byType[pool.gpu, default: 0] += pool.gpus }
        return byType.keys.sorted().map { "\(byType[$0]!) \($0)" }.joined(separator: " + ")
    }

    static func total(_ pools: [FleetPool], _ phase: Phase) -> Int {
        pools.filter { $0.phase == phase }.reduce(0) { $0 + $1.gpus }
    }

    /// The 28-day trend of the token ratio, as a phrase and its two ends.
    func ratioTrend() -> (phrase: String, start: Double, end: Double)? {
        let ratios = input.history.filter { $0.coverage >= 0.98 }.map(\.tokenRatio)
        guard let trend = RatioAnalysis.trend(ratios, window: 28) else { return nil }
        let phrase: String
        if trend.change <= -0.1 {
            phrase = "traffic is turning decode-heavy"
        } else if trend.change >= 0.1 {
            phrase = "traffic is turning prefill-heavy"
        } else {
            phrase = "the prefill:decode mix is steady"
        }
        return (phrase, trend.start, trend.end)
    }

    /// The report's first sentence: GPUs by the furthest horizon, against today, and the ratio's drift.
    public func headline() -> String {
        guard let horizon = headlineHorizon, let cell = headlineCell else {
            return "No plan: the forecast covers no day."
        }
        let q = plan.headlineQuantile
        var text =
            "\(horizon.label.prefix(1).uppercased() + horizon.label.dropFirst()): \(Self.gpuList(cell.pools, phase: .prefill)) prefill + \(Self.gpuList(cell.pools, phase: .decode)) decode GPUs at P\(q)"
        text += ", up from \(Self.total(plan.current, .prefill)) + \(Self.total(plan.current, .decode)) today"
        if let trend = ratioTrend() {
            text += String(
                format: "; %@: prefill:decode %.1f → %.1f over 28 days", trend.phrase, trend.start, trend.end)
        }
        return text + "."
    }

    // MARK: - Markdown

    public func markdown() -> String {
        var md = "# Capacity plan: \(input.pipeline), as of \(Horizon.shortDate(input.asOfDay))\n\n"
        md += "**\(headline())**\n\n"
        if let horizon = headlineHorizon, horizon.truncated {
            md +=
                "> The forecast ends on \(Horizon.shortDate(horizon.lastDay)), before the horizon does: the plan covers the days up to then.\n\n"
        }
        let disaggregated = headlineCell.map { plan.dollarsPerMonth($0.pools) } ?? 0
        md += String(
            format:
                "Prefill and decode sized separately (disaggregated serving), %@ of demand, %d spare worker%@ per pool; $%@ a month at list prices. Forecast run %lld.\n\n",
            "P\(plan.headlineQuantile)", input.policy.spareWorkers, input.policy.spareWorkers == 1 ? "" : "s",
            Self.money(disaggregated), input.forecastRunID)
        md += whatChanged()
        md += ratioSection()
        md += forecastSection()
        md += planSection()
        md += stackSection()
        md += aggregatedSection()
        md += scenarioSection()
        md += costSection()
        md += intradaySection()
        md += assumptionsSection()
        md += qualitySection()
        return md
    }

    func whatChanged() -> String {
        var md = "## What changed since the last report\n\n"
        guard let previous = input.previous, let cell = headlineCell else {
            return md + "This is the pipeline's first report.\n\n"
        }
        md += "Previous report: as of \(Horizon.shortDate(previous.asOfDay)).\n\n| | then | now |\n|---|---:|---:|\n"
        for phase in Phase.allCases {
            md +=
                "| \(phase.rawValue) GPUs (P\(plan.headlineQuantile), to \(Horizon.shortDate(previous.horizonEndDay)) then, \(Horizon.shortDate(cell.horizon.lastDay)) now) | \(previous.gpus[phase] ?? 0) | \(cell.gpus(phase)) |\n"
        }
        md +=
            "| $ a month | \(Self.money(previous.dollarsPerMonth)) | \(Self.money(plan.dollarsPerMonth(cell.pools))) |\n"
        let now = recentTokenRatio()
        md +=
            "| prefill:decode tokens, last 7 days | \(previous.tokenRatio.map { String(format: "%.2f", $0) } ?? "–") | \(now.map { String(format: "%.2f", $0) } ?? "–") |\n"
        for phase in Phase.allCases {
            let current = input.methods.first { $0.model == "all" && $0.phase == phase }?.backtestMASE
            md +=
                "| backtest MASE, all models' \(phase.rawValue) GPU-hours | \(previous.backtestMASE[phase].map { String(format: "%.2f", $0) } ?? "–") | \(current.map { String(format: "%.2f", $0) } ?? "–") |\n"
        }
        return md + "\n"
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
                    "Over the last 28 days the token ratio (prefill tokens per output token) went from %.2f to %.2f (fitted trend): %@. ",
                trend.start, trend.end, trend.phrase)
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
        md += "| model | phase | method | backtest MASE | notes |\n|---|---|---|---:|---|\n"
        for choice in input.methods {
            let notes = choice.notes.joined(separator: "; ").replacingOccurrences(of: "|", with: "/")
            md +=
                "| \(choice.model) | \(choice.phase.rawValue) | \(choice.method) | \(choice.backtestMASE.map { String(format: "%.2f", $0) } ?? "–") | \(notes) |\n"
        }
        md += "\n### Realized accuracy of past forecasts\n\n"
        if input.realized.isEmpty {
            md +=
                "No stored forecast of this pipeline has reached days observed since; realized accuracy appears once one has.\n\n"
        } else {
            md +=
                "Stored forecasts of all models' GPU-hours against what happened, by days ahead. The error is Σ|actual − forecast| ÷ Σ actual; MASE divides the errors by the history's own week-over-week change, so values above 1 lose to repeating last week, and a launch or ramp inside the scored days inflates them. Coverage should be near 0.80 and 0.95.\n\n"
            md +=
                "| days ahead | phase | days scored | error | MASE | coverage 80 % | coverage 95 % |\n|---|---|---:|---:|---:|---:|---:|\n"
            for row in input.realized {
                let error = row.relativeError.map { String(format: "%.1f %%", 100 * $0) } ?? "–"
                md += String(
                    format: "| %@ | %@ | %d | %@ | %.2f | %.2f | %.2f |\n", row.horizon, row.phase.rawValue, row.points,
                    error, row.mase, row.coverage80, row.coverage95)
            }
            md += "\n"
        }
        return md
    }

    func planSection() -> String {
        var md =
            "## Plan\n\nGPUs to provision (whole nodes) for the busiest day of each horizon, baseline deployment.\n\n"
        md +=
            "| horizon | through | quantile | prefill GPUs | decode GPUs | total | $ a month |\n|---|---|---|---:|---:|---:|---:|\n"
        md +=
            "| today (last 7 days) | \(Horizon.shortDate(input.asOfDay)) | observed | \(Self.total(plan.current, .prefill)) | \(Self.total(plan.current, .decode)) | \(Self.total(plan.current, .prefill) + Self.total(plan.current, .decode)) | \(Self.money(plan.dollarsPerMonth(plan.current))) |\n"
        for horizon in plan.horizons {
            for q in plan.quantiles {
                guard let cell = plan.baseline.cell(horizon.key, q) else { continue }
                let p = cell.gpus(.prefill)
                let d = cell.gpus(.decode)
                md +=
                    "| \(horizon.label) | \(Horizon.shortDate(horizon.lastDay))\(horizon.truncated ? " (forecast end)" : "") | P\(q) | \(p) | \(d) | \(p + d) | \(Self.money(plan.dollarsPerMonth(cell.pools))) |\n"
            }
        }
        if let cell = headlineCell {
            md += "\n**Workers** (\(cell.horizon.label), P\(cell.quantile)), the xP:yD ratio per model:\n\n"
            md +=
                "| model | prefill workers | decode workers | xP:yD | prefill GPU | decode GPU |\n|---|---:|---:|---|---|---|\n"
            let plans = cell.pools.flatMap(\.plans)
            for model in Self.orderedModels(plans) {
                let p = plans.first { $0.pool.model == model && $0.pool.phase == .prefill }
                let d = plans.first { $0.pool.model == model && $0.pool.phase == .decode }
                let x = p?.workersWithSpares ?? 0
                let y = d?.workersWithSpares ?? 0
                md +=
                    "| \(model) | \(x) | \(y) | \(x)P:\(y)D | \(p.map { "\($0.pool.gpu) TP\($0.pool.tp)" } ?? "–") | \(d.map { "\($0.pool.gpu) TP\($0.pool.tp)" } ?? "–") |\n"
            }
        }
        return md + "\n"
    }

    static func orderedModels(_ plans: [PoolPlan]) -> [String] {
        var seen: [String] = []
        for plan in plans where !seen.contains(plan.pool.model) { seen.append(plan.pool.model) }
        return seen
    }

    func stackSection() -> String {
        guard let cell = headlineCell else { return "" }
        var md = "### Headroom stack (\(cell.horizon.label), P\(cell.quantile))\n\n"
        md += "Each line is one allowance, applied in order; values are GPUs summed over the models of the pool.\n\n"
        for pool in cell.pools {
            let plans = pool.plans
            let days = Set(plans.filter { $0.dailyGPUHours > 0 }.map(\.bindingDay)).sorted().map(Horizon.shortDate)
            md +=
                "**\(pool.phase.rawValue.capitalized) on \(pool.gpu)** (\(plans.count) model\(plans.count == 1 ? "" : "s"); busiest day\(days.count == 1 ? "" : "s"): \(days.joined(separator: ", ")))\n\n"
            md += "| step | allowance | GPUs |\n|---|---|---:|\n"
            md +=
                "| forecast P\(cell.quantile) busy GPU-hours of the busiest day ÷ 24 | \(Self.decimal(pool.total { $0.dailyGPUHours })) GPU-h | \(Self.decimal(pool.total { $0.meanBusyGPUs })) |\n"
            md +=
                "| intraday peak: busiest hour ÷ mean hour | \(Self.factors(plans.map(\.peakFactor))) | \(Self.decimal(pool.total { $0.peakHourGPUs })) |\n"
            md +=
                "| burst: busiest minute ÷ busiest hour | \(Self.factors(plans.map(\.burstFactor))) | \(Self.decimal(pool.total { $0.burstGPUs })) |\n"
            md +=
                "| target utilization | \(Self.factors(plans.map(\.utilization), prefix: "÷ ")) | \(Self.decimal(pool.total { $0.provisionedGPUs })) |\n"
            let tps = Set(plans.map(\.pool.tp)).sorted().map { "TP\($0)" }.joined(separator: ", ")
            md +=
                "| whole workers (\(tps)) | \(plans.reduce(0) { $0 + $1.workers }) workers | \(plans.reduce(0) { $0 + $1.workers * $1.pool.tp }) |\n"
            md +=
                "| failure headroom N+\(input.policy.spareWorkers) per model | \(plans.reduce(0) { $0 + $1.workersWithSpares }) workers | \(plans.reduce(0) { $0 + $1.gpus }) |\n"
            md += "| whole nodes (\(pool.gpusPerNode) GPUs a node) | \(pool.nodes) nodes | **\(pool.gpus)** |\n\n"
            let demand = pool.total { $0.provisionedGPUs }
            if pool.gpus > 0 && demand < 0.5 * Double(pool.gpus) {
                md += String(
                    format:
                        "At this size, whole workers, spares and whole nodes are %.0f %% of the pool: demand sizes %@ of its %d GPUs.\n\n",
                    100 * (1 - demand / Double(pool.gpus)), Self.decimal(demand), pool.gpus)
            }
        }
        return md
    }

    static func factors(_ values: [Double], prefix: String = "× ") -> String {
        let distinct = Array(Set(values.map { String(format: "%.2f", $0) })).sorted()
        return prefix + distinct.joined(separator: ", ")
    }

    func aggregatedSection() -> String {
        var md = "### Against aggregated serving\n\n"
        md +=
            "The same demand on co-located workers (each model on its decode GPU and TP), prefill in chunks beside the decode batch: a share ρ of each worker's time goes to prefill, decode steps must then fit ITL·(1 − ρ) and run (1 − ρ) of the time. Same utilization target, spares and node rounding.\n\n"
        md +=
            "| horizon | disaggregated GPUs | aggregated GPUs | difference | $ a month, disaggregated | $ a month, aggregated |\n|---|---:|---:|---:|---:|---:|\n"
        for aggregated in plan.aggregated {
            guard let cell = plan.baseline.cell(aggregated.horizon.key, aggregated.quantile) else { continue }
            let disaggregated = cell.gpus(.prefill) + cell.gpus(.decode)
            let together = aggregated.gpusByType.values.reduce(0, +)
            let unmet = aggregated.pools.filter { $0.busyGPUs == nil }.map(\.model)
            let aggregatedDollars = aggregated.gpusByType.reduce(0.0) {
                $0 + Double($1.value) * (plan.economics[$1.key]?.pricePerHour ?? 0) * CapacityPlan.hoursPerMonth
            }
            md +=
                "| \(aggregated.horizon.label) | \(disaggregated) | \(together)\(unmet.isEmpty ? "" : " (ITL unmet for \(unmet.joined(separator: ", ")))") | \(Self.signed(together - disaggregated)) | \(Self.money(plan.dollarsPerMonth(cell.pools))) | \(Self.money(aggregatedDollars)) |\n"
        }
        return md + "\n"
    }

    func scenarioSection() -> String {
        guard plan.columns.count > 1, let horizon = headlineHorizon else { return "" }
        let q = plan.headlineQuantile
        var md = "## Scenarios\n\nEach scenario beside the baseline, \(horizon.label) at P\(q).\n\n"
        md +=
            "| scenario | prefill GPUs | decode GPUs | total | $ a month | vs baseline |\n|---|---|---|---:|---:|---:|\n"
        let base = plan.baseline.cell(horizon.key, q)
        let baseDollars = base.map { plan.dollarsPerMonth($0.pools) } ?? 0
        for column in plan.columns {
            guard let cell = column.cell(horizon.key, q) else { continue }
            let dollars = plan.dollarsPerMonth(cell.pools)
            let total = cell.gpus(.prefill) + cell.gpus(.decode)
            let delta =
                column.name == "baseline"
                ? ""
                : "\(Self.signed(total - ((base?.gpus(.prefill) ?? 0) + (base?.gpus(.decode) ?? 0)))) GPUs, \(dollars >= baseDollars ? "+" : "−")$\(Self.money(abs(dollars - baseDollars)))"
            md +=
                "| \(column.name) | \(Self.gpuList(cell.pools, phase: .prefill)) | \(Self.gpuList(cell.pools, phase: .decode)) | \(total) | \(Self.money(dollars)) | \(delta) |\n"
        }
        let notes = plan.columns.dropFirst().filter { !$0.notes.isEmpty }
        if !notes.isEmpty {
            md += "\nWhat each scenario changes (the factor multiplies the phase's busy GPU-hours):\n\n"
            for column in notes { md += "- **\(column.name)**: " + column.notes.joined(separator: "; ") + "\n" }
        }
        return md + "\n"
    }

    func costSection() -> String {
        guard let cell = headlineCell else { return "" }
        var md = "## Cost and energy (\(cell.horizon.label), P\(cell.quantile))\n\n"
        md +=
            "| phase | GPU | GPUs | $/GPU-hour | $ a month | busy GPU-hours a month (P50) | energy a month |\n|---|---|---:|---:|---:|---:|---:|\n"
        let hours = CapacityPlan.hoursPerMonth
        for pool in cell.pools {
            let economics = plan.economics[pool.gpu]
            let price = economics?.pricePerHour ?? 0
            // Busy GPU-hours at the median forecast, as a monthly rate over the horizon.
            let busyPerDay = meanMedianGPUHours(pool)
            let busyPerMonth = busyPerDay * hours / 24
            let energy = busyPerMonth * (economics?.tdpWatts ?? 0) / 1e6
            md +=
                "| \(pool.phase.rawValue) | \(pool.gpu) | \(pool.gpus) | \(String(format: "%.2f", price)) | \(Self.money(Double(pool.gpus) * price * hours)) | \(Self.decimal(busyPerMonth)) | \(String(format: "%.2f", energy)) MWh |\n"
        }
        md +=
            "\nEnergy counts busy GPU-time at the GPU's TDP (power × utilization); idle power, hosts and cooling are not counted.\n\n"
        return md
    }

    /// Mean daily median busy GPU-hours of a pool over the headline horizon: the all-model
    /// median forecast's mean, times the pool's share of its phase on the binding days.
    func meanMedianGPUHours(_ pool: FleetPool) -> Double {
        guard let cell = headlineCell else { return 0 }
        let days = (input.forecast[pool.phase] ?? []).filter {
            $0.day >= cell.horizon.firstDay && $0.day <= cell.horizon.lastDay
        }
        guard !days.isEmpty else { return 0 }
        let mean = days.reduce(0) { $0 + $1.median } / Double(days.count)
        let poolDemand = pool.plans.reduce(0) { $0 + $1.dailyGPUHours }
        let phaseDemand = cell.pools.filter { $0.phase == pool.phase }.flatMap(\.plans).reduce(0) {
            $0 + $1.dailyGPUHours
        }
        return phaseDemand > 0 ? mean * poolDemand / phaseDemand : 0
    }

    func intradaySection() -> String {
        var md = "## Intraday profile\n\n![Share of a day's busy GPU-time by hour](intraday.svg)\n\n"
        md +=
            "Peak factors by weekday (busiest hour ÷ mean hour) and burst (busiest minute ÷ busiest hour), over the last \(input.lookbackDays) days:\n\n"
        md +=
            "| model | phase | Mon | Tue | Wed | Thu | Fri | Sat | Sun | burst | days |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        for row in input.shapes {
            md +=
                "| \(row.model) | \(row.phase.rawValue) | "
                + row.shape.peakFactor.map { String(format: "%.2f", $0) }.joined(separator: " | ")
            md += String(format: " | %.2f | %d |\n", row.shape.burstFactor, row.shape.days)
        }
        return md + "\n"
    }

    func assumptionsSection() -> String {
        var md = "## Assumptions\n\n"
        md +=
            "| model | profile | deployment | mean prompt / cached / output tokens | prefill tok/s per GPU (bound) | decode tok/s per GPU (bound) |\n|---|---|---|---|---:|---:|\n"
        for a in input.assumptions {
            md += String(
                format: "| %@ | %@ | %@ | %.0f / %.0f / %.0f | %.0f (%@) | %.0f (%@) |\n", a.model, a.profile,
                a.summary, a.meanPromptTokens,
                a.meanCachedTokens, a.meanOutputTokens, a.prefillTokensPerSecondPerGPU, a.prefillBound,
                a.decodeTokensPerSecondPerGPU,
                a.decodeBound)
        }
        let policy = input.policy
        md +=
            "\n- Target utilization: prefill \(Self.decimal(policy.targetUtilization[.prefill] ?? 0.8)), decode \(Self.decimal(policy.targetUtilization[.decode] ?? 0.8)) (prefill also at most what its TTFT target allows under queueing); \(policy.spareWorkers) spare worker(s) per model and phase.\n"
        md +=
            "- Quantiles: P50 is the forecast; P90 the upper bound of its 80 % interval; P95 between that and the upper 95 % bound, where a normal distribution puts it.\n"
        md +=
            "- Demand on a day is its forecast busy GPU-hours × that weekday's peak factor × the burst factor, measured over the last \(input.lookbackDays) days of each model's traffic.\n"
        md +=
            "- GPU specifications, prices and TDP: the `gpus` seed (sources below); prices marked `pipeline` were set in the pipeline file.\n\n"
        md += "| GPU | $/GPU-hour | price from | TDP | specification source |\n|---|---:|---|---:|---|\n"
        for (gpu, source, priceSource) in input.quality.seedSources {
            let economics = plan.economics[gpu]
            md +=
                "| \(gpu) | \(String(format: "%.2f", economics?.pricePerHour ?? 0)) | \(economics?.priceSource == "pipeline" ? "pipeline file" : priceSource) | \(Int(economics?.tdpWatts ?? 0)) W | \(source) |\n"
        }
        return md + "\n"
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
            md += "  - `\(file.path)`: \(error)\(kept)\n"
        }
        md += "- Rejected lines: \(q.rejectedLines)"
        if !q.rejectReasons.isEmpty {
            md += " — " + q.rejectReasons.map { "\($0.count) × \($0.reason)" }.joined(separator: "; ")
        }
        md += " (all in the `v_rejects` view).\n"
        if q.emptyDays.isEmpty {
            md += "- No day without traffic inside the observed span.\n"
        } else {
            md += "- Days without any traffic: " + q.emptyDays.map(Horizon.shortDate).joined(separator: ", ") + ".\n"
        }
        for note in q.forecastNotes { md += "- Forecast: \(note).\n" }
        return md
    }

    // MARK: - CSV

    public func planCSV() -> String {
        var csv =
            "scenario,horizon,through,quantile,phase,gpu,model,tp,binding_day,daily_gpu_hours,peak_factor,burst_factor,utilization,workers,workers_with_spares,gpus,pool_nodes,pool_gpus\n"
        for column in plan.columns {
            for cell in column.cells {
                for pool in cell.pools {
                    for p in pool.plans {
                        csv +=
                            [
                                Self.csvField(column.name), cell.horizon.key, Horizon.isoDate(cell.horizon.lastDay),
                                "P\(cell.quantile)",
                                pool.phase.rawValue, Self.csvField(pool.gpu), Self.csvField(p.pool.model),
                                "\(p.pool.tp)",
                                p.dailyGPUHours > 0 ? Horizon.isoDate(p.bindingDay) : "", Self.plain(p.dailyGPUHours),
                                Self.plain(p.peakFactor),
                                Self.plain(p.burstFactor), Self.plain(p.utilization), "\(p.workers)",
                                "\(p.workersWithSpares)", "\(p.gpus)",
                                "\(pool.nodes)", "\(pool.gpus)",
                            ].joined(separator: ",") + "\n"
                    }
                }
            }
        }
        return csv
    }

    public func dailyCSV() -> String {
        var csv =
            "day,coverage,requests,prefill_tokens,output_tokens,token_ratio,prefill_gpu_hours,decode_gpu_hours,gpu_time_ratio\n"
        for d in input.history {
            csv +=
                [
                    Horizon.isoDate(d.day), Self.plain(d.coverage), "\(d.requests)", Self.plain(d.prefillTokens),
                    Self.plain(d.outputTokens),
                    d.tokenRatio.map(Self.plain) ?? "", Self.plain(d.prefillGPUHours), Self.plain(d.decodeGPUHours),
                    d.gpuTimeRatio.map(Self.plain) ?? "",
                ].joined(separator: ",") + "\n"
        }
        return csv
    }

    public func forecastCSV() -> String {
        var csv = "ds,phase,yhat,lo80,hi80,lo95,hi95,p90,p95\n"
        let days = Set(Phase.allCases.flatMap { input.forecast[$0]?.map(\.day) ?? [] }).sorted()
        for day in days {
            for phase in Phase.allCases {
                guard let d = input.forecast[phase]?.first(where: { $0.day == day }) else { continue }
                csv +=
                    [
                        Horizon.isoDate(day), phase.rawValue, Self.plain(d.median), Self.plain(d.lower80),
                        Self.plain(d.upper80),
                        Self.plain(d.lower95), Self.plain(d.upper95), Self.plain(d.quantile(90)),
                        Self.plain(d.quantile(95)),
                    ].joined(separator: ",") + "\n"
            }
        }
        return csv
    }

    // MARK: - Charts

    public func ratioChart() -> String {
        var chart = SVGChart(title: "Prefill:decode ratio, all models", yLabel: "prefill per decode")
        let whole = input.history.filter { $0.coverage >= 0.98 }
        chart.lines.append(
            .init(
                label: "tokens (prefill ÷ output)", color: "#1f77b4",
                points: whole.compactMap { d in d.tokenRatio.map { (Double(d.day), $0) } }))
        chart.lines.append(
            .init(
                label: "GPU-time (prefill ÷ decode)", color: "#d62728",
                points: whole.compactMap { d in d.gpuTimeRatio.map { (Double(d.day), $0) } }))
        // The tokens ratio's 28-day trend, as a dashed line over its window.
        if let trend = RatioAnalysis.trend(whole.map(\.tokenRatio), window: 28), let last = whole.last {
            let first = Double(whole.suffix(28).first?.day ?? last.day)
            let points = [(x: first, y: trend.start), (x: Double(last.day), y: trend.end)]
            chart.lines.append(.init(label: "28-day trend", color: "#333333", points: points, dashed: true))
        }
        return chart.render()
    }

    public func gpuHoursChart() -> String {
        var chart = SVGChart(title: "Busy GPU-hours a day, all models", yLabel: "GPU-hours")
        let whole = input.history.filter { $0.coverage >= 0.98 }
        let colors: [Phase: String] = [.prefill: "#1f77b4", .decode: "#ff7f0e"]
        for phase in Phase.allCases {
            let forecast = input.forecast[phase] ?? []
            chart.bands.append(
                .init(
                    label: "\(phase.rawValue) 95 %", color: colors[phase]!, opacity: 0.12,
                    points: forecast.map { (Double($0.day), $0.lower95, $0.upper95) }))
            chart.bands.append(
                .init(
                    label: "\(phase.rawValue) 80 %", color: colors[phase]!, opacity: 0.25,
                    points: forecast.map { (Double($0.day), $0.lower80, $0.upper80) }))
        }
        for phase in Phase.allCases {
            let history = whole.map {
                (x: Double($0.day), y: phase == .prefill ? $0.prefillGPUHours : $0.decodeGPUHours)
            }
            chart.lines.append(.init(label: phase.rawValue, color: colors[phase]!, points: history))
            chart.lines.append(
                .init(
                    label: "\(phase.rawValue) forecast", color: colors[phase]!,
                    points: (input.forecast[phase] ?? []).map { (Double($0.day), $0.median) }, dashed: true))
        }
        chart.marker = (Double(input.asOfDay) + 0.5, "cutoff")
        return chart.render()
    }

    public func intradayChart() -> String {
        var chart = SVGChart(
            title: "Share of a day's busy GPU-time by hour (UTC), last \(input.lookbackDays) days",
            yLabel: "% of the day")
        chart.xFormat = { String(format: "%02.0f:00", $0) }
        let colors: [Phase: String] = [.prefill: "#1f77b4", .decode: "#ff7f0e"]
        for phase in Phase.allCases {
            let shares = input.intraday[phase] ?? []
            chart.lines.append(
                .init(
                    label: phase.rawValue, color: colors[phase]!,
                    points: shares.enumerated().map { (Double($0.offset), 100 * $0.element) }))
        }
        return chart.render()
    }

    // MARK: - Formatting

    static func money(_ value: Double) -> String {
        let rounded = Int64(value.rounded())
        var digits = String(abs(rounded))
        var groups: [String] = []
        while digits.count > 3 {
            groups.insert(String(digits.suffix(3)), at: 0)
            digits = String(digits.dropLast(3))
        }
        groups.insert(digits, at: 0)
        return (rounded < 0 ? "−" : "") + groups.joined(separator: ",")
    }

    static func signed(_ value: Int) -> String { value > 0 ? "+\(value)" : value < 0 ? "−\(-value)" : "0" }

    static func decimal(_ value: Double) -> String {
        abs(value) >= 100
            ? String(format: "%.0f", value)
            : abs(value) >= 10 ? String(format: "%.1f", value) : String(format: "%.2f", value)
    }

    static func plain(_ value: Double) -> String { String(format: "%.6g", value) }

    static func csvField(_ text: String) -> String {
        text.contains(",") || text.contains("\"")
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
