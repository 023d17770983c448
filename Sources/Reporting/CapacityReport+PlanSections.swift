import Foundation
import PhasecastCore
import Planning

/// The report's sections of the plan itself: GPUs by horizon, the headroom stack, the
/// aggregated baseline, scenarios, cost and energy.
extension CapacityReport {
    func planSection() -> String {
        var md =
            "## Plan\n\nGPUs to provision (whole nodes) for the busiest day of each horizon, baseline deployment. Today's row is the same stack on the busiest of the last seven days, whose demand is known (no forecast spread).\n\n"
        var gpus = MarkdownTable(
            ["horizon", "through", "quantile", "prefill GPUs", "decode GPUs", "total", "$ a month"],
            alignment: "lllrrrr")
        let today = (Self.total(plan.current, .prefill), Self.total(plan.current, .decode))
        gpus.row([
            "today (last 7 days)", Horizon.shortDate(input.asOfDay), "P\(plan.headlineQuantile), demand observed",
            String(today.0), String(today.1),
            String(today.0 + today.1), Self.money(plan.dollarsPerMonth(plan.current)),
        ])
        for horizon in plan.horizons {
            for q in plan.quantiles {
                guard let cell = plan.baseline.cell(horizon.key, q) else { continue }
                let p = cell.gpus(.prefill)
                let d = cell.gpus(.decode)
                gpus.row([
                    horizon.label, Horizon.shortDate(horizon.lastDay) + (horizon.truncated ? " (forecast end)" : ""),
                    "P\(q)", String(p), String(d), String(p + d), Self.money(plan.dollarsPerMonth(cell.pools)),
                ])
            }
        }
        md += gpus.markdown
        if let cell = headlineCell {
            md += "\n**Workers** (\(cell.horizon.label), P\(cell.quantile)), the xP:yD ratio per model:\n\n"
            var workers = MarkdownTable(
                [
                    "model", "prefill workers", "decode workers", "xP:yD", "prefill GPU", "decode GPU",
                    "throughput per GPU",
                ],
                alignment: "lrrllll")
            let plans = cell.pools.flatMap(\.plans)
            for model in Self.orderedModels(plans) {
                let p = plans.first { $0.pool.model == model && $0.pool.phase == .prefill }
                let d = plans.first { $0.pool.model == model && $0.pool.phase == .decode }
                let x = p?.workersWithSpares ?? 0
                let y = d?.workersWithSpares ?? 0
                workers.row([
                    MarkdownText.escape(model), String(x), String(y), "\(x)P:\(y)D",
                    p.map { "\(MarkdownText.escape($0.pool.gpu)) \($0.pool.worker)" } ?? "–",
                    d.map { "\(MarkdownText.escape($0.pool.gpu)) \($0.pool.worker)" } ?? "–",
                    Self.costSource([p, d].compactMap { $0 }),
                ])
            }
            md += workers.markdown
        }
        return md + "\n"
    }

    /// Whether a model's per-GPU throughputs are measured or modelled, and how far modelled
    /// ones may be off.
    static func costSource(_ plans: [PoolPlan]) -> String {
        let parts = plans.map { plan in
            let phase = plan.pool.phase.rawValue
            let band = plan.pool.costUncertainty
            return band > 0 ? "\(phase) modelled, ±\(Int((band * 100).rounded())) % at P90" : "\(phase) measured"
        }
        return parts.isEmpty ? "–" : parts.joined(separator: "; ")
    }

    static func orderedModels(_ plans: [PoolPlan]) -> [String] {
        var seen: [String] = []
        for plan in plans where !seen.contains(plan.pool.model) { seen.append(plan.pool.model) }
        return seen
    }

    /// When the installed fleet runs short and when to order, per pool.
    func installedSection() -> String {
        var md = "### Installed fleet and order-by dates\n\n"
        guard let installed = plan.installed else {
            return md
                + "Installed fleet not given: declare it under `[fleet]` in the pipeline file (GPUs per phase and GPU type, and the lead time of an order) for the day each pool runs short and the day to order by.\n\n"
        }
        guard let lead = installed.first?.leadTimeDays else { return md + "The fleet declares no GPUs.\n\n" }
        let last = installed.first?.throughDay ?? plan.cutoffDay
        md +=
            "The first forecast day whose need exceeds what is in service that day (installed, and deliveries already ordered once they arrive) — the headroom stack below, applied to that day alone — and that day less the \(lead)-day lead time. Forecast through \(Horizon.shortDate(last)).\n\n"
        var table = MarkdownTable(
            ["pool", "installed", "peak need P\(plan.headlineQuantile)"] + plan.quantiles.map { "short from P\($0)" }
                + ["order by (P\(plan.headlineQuantile))"],
            alignment: "lrr" + String(repeating: "l", count: plan.quantiles.count + 1))
        for pool in installed {
            let short = plan.quantiles.map { q in pool.exceededOn[q].map(Horizon.shortDate) ?? "not within the forecast"
            }
            var order = "no order needed within the forecast"
            if let day = pool.orderBy(plan.headlineQuantile) {
                order =
                    day <= plan.cutoffDay
                    ? "now (\(plan.cutoffDay - day) days late)" : Horizon.shortDate(day)
            }
            table.row(
                [
                    "\(pool.phase.rawValue.capitalized) on \(MarkdownText.escape(pool.gpu))",
                    ([String(pool.installed)]
                        + pool.deliveries.map { "+\($0.gpus) from \(Horizon.shortDate($0.day))" }).joined(
                            separator: " "),
                    String(pool.peakNeed[plan.headlineQuantile] ?? 0),
                ] + short + [order])
        }
        return md + table.markdown + "\n"
    }

    func stackSection() -> String {
        guard let cell = headlineCell else { return "" }
        var md = "### Headroom stack (\(cell.horizon.label), P\(cell.quantile))\n\n"
        md +=
            "Each line is one step, applied in order; values are GPUs summed over the models of the pool. The pool is sized for P\(cell.quantile) of its minute demand in the busiest hour: every uncertainty about such a minute — the forecast, minute variation beyond Poisson, Poisson arrival noise at this size (decode; for prefill it is in the TTFT queueing model), the cost model — is one relative standard deviation, and they are combined once, as independent errors. The plan backtest below shows what each is worth.\n\n"
        let z = normalQuantile(cell.quantile)
        for pool in cell.pools {
            let plans = pool.plans
            let days = Set(plans.filter { $0.dailyGPUHours > 0 }.map(\.bindingDay)).sorted().map(Horizon.shortDate)
            md +=
                "**\(pool.phase.rawValue.capitalized) on \(pool.gpu)** (\(plans.count) model\(plans.count == 1 ? "" : "s"); busiest day\(days.count == 1 ? "" : "s"): \(days.joined(separator: ", ")))\n\n"
            var stack = MarkdownTable(["step", "allowance", "GPUs"], alignment: "llr")
            stack.row([
                "forecast median busy GPU-hours of the busiest day ÷ 24",
                "\(Self.decimal(pool.total { $0.dailyGPUHours })) GPU-h", Self.decimal(pool.total { $0.meanBusyGPUs }),
            ])
            stack.row([
                "peak hour: busiest hour ÷ mean hour of the hour-of-week profile",
                Self.factors(plans.map(\.peakFactor)),
                Self.decimal(pool.total { $0.peakHourGPUs }),
            ])
            let bands = plans.map(\.pool.costUncertainty)
            let parts = [
                "forecast " + Self.percents(plans.map(\.forecastSpread)),
                "minute variation " + Self.percents(plans.map(\.minuteVariation)),
                pool.phase == .decode || plans.contains { $0.arrivalNoise > 0 }
                    ? "arrival noise " + Self.percents(plans.map(\.arrivalNoise)) : nil,
                bands.contains { $0 > 0 }
                    ? "cost model " + Self.percents(plans.map(\.costSpread)) + " (modelled, ±"
                        + Self.percents(bands) + " at P90 held out)"
                    : "cost model 0 % (measured profile)",
            ].compactMap { $0 }
            stack.row([
                "P\(cell.quantile) of a peak-hour minute: 1 + \(String(format: "%.2f", z)) × √(Σ spread²); spreads (1 SD): "
                    + parts.joined(separator: ", "),
                Self.factors(plans.map(\.spreadFactor)), Self.decimal(pool.total { $0.sizedGPUs }),
            ])
            let caps = plans.compactMap(\.queueingCap)
            let limited = plans.contains { p in p.queueingCap.map { $0 < p.pool.targetUtilization } ?? false }
            stack.row([
                caps.isEmpty
                    ? "target utilization"
                    : limited
                        ? "utilization: the target, or lower where M/D/c queueing over the pool's workers must keep TTFT (cap "
                            + Self.factors(caps, prefix: "") + ")"
                        : "target utilization (M/D/c queueing keeps TTFT up to " + Self.factors(caps, prefix: "") + ")",
                Self.factors(plans.map(\.utilization), prefix: "÷ "),
                Self.decimal(pool.total { $0.provisionedGPUs }),
            ])
            let tps = Set(plans.map(\.pool.worker)).sorted().joined(separator: ", ")
            stack.row([
                "whole workers (\(tps))", Self.counted(plans.reduce(0) { $0 + $1.workers }, "worker"),
                String(plans.reduce(0) { $0 + $1.workers * $1.pool.tp }),
            ])
            stack.row([
                "failure headroom N+\(input.policy.spareWorkers) per model",
                Self.counted(plans.reduce(0) { $0 + $1.workersWithSpares }, "worker"),
                String(plans.reduce(0) { $0 + $1.gpus }),
            ])
            stack.row([
                "whole nodes (\(pool.gpusPerNode) GPUs a node)", Self.counted(pool.nodes, "node"), "**\(pool.gpus)**",
            ])
            md += stack.markdown + "\n"
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

    static func percents(_ values: [Double]) -> String {
        let distinct = Set(values.map { ($0 * 100).rounded() })
        return distinct.sorted().map { String(format: "%.0f %%", $0) }.joined(separator: ", ")
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
            let unmet = aggregated.pools.filter { $0.busyGPUs == nil }.map { MarkdownText.escape($0.model) }
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
                "| \(MarkdownText.escape(column.name)) | \(Self.gpuList(cell.pools, phase: .prefill)) | \(Self.gpuList(cell.pools, phase: .decode)) | \(total) | \(Self.money(dollars)) | \(delta) |\n"
        }
        let notes = plan.columns.dropFirst().filter { !$0.notes.isEmpty }
        if !notes.isEmpty {
            md += "\nWhat each scenario changes (the factor multiplies the phase's busy GPU-hours):\n\n"
            for column in notes {
                md +=
                    "- **\(MarkdownText.escape(column.name))**: "
                    + MarkdownText.escape(column.notes.joined(separator: "; ")) + "\n"
            }
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
}
