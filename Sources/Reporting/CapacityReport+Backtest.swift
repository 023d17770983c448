import Foundation
import PhasecastCore
import Planning

/// The report's plan backtest: `capacity.md`'s ledger section and `plan_backtest.csv`.
extension CapacityReport {
    func backtestSection() -> String { Self.backtestSection(input.backtest) }

    /// The "Plan backtest" section of a backtest (also what `phasecast plan-backtest` prints).
    public static func backtestSection(_ backtest: PlanBacktest?) -> String {
        var md = "## Plan backtest\n\n"
        guard let backtest, !backtest.replays.isEmpty else {
            return md
                + "No earlier forecast of every model with \(PlanBacktest.minimumDays) whole days since it: nothing to replay yet (set `[forecast] backfill` to replay past cutoffs on a new database).\n\n"
        }
        let q = backtest.quantile
        md +=
            "The plan this pipeline would have made at earlier cutoffs (their stored forecasts, today's policy and cost profiles), replayed minute by minute against the demand that followed, beside a reactive planner in the manner of Dynamo's SLA planner: every \(backtest.reactiveIntervalMinutes * 60) s it provisions what the last interval's load needs at the same per-GPU rates, with no headroom. A minute is short when a model's phase has more busy GPUs than serving ones (the plan's workers before spares; spares stand in for failures, so they are paid for but do not serve here); an SLA minute misses TTFT (M/D/c queue at that minute's load) or ITL somewhere; idle GPU-hours are those paid for and not busy. GPUs are before node rounding.\n\n"
        if backtest.sampledLogs {
            md +=
                "The logs are sampled: a sampled minute, scaled up, has √N times the Poisson noise of the traffic it stands for, so each hour's minutes are replayed with their deviations from the hour's mean rescaled to the variance beyond Poisson plus 1/N of the Poisson part (shares from the logged counts' dispersion; sizes vary too, so this errs on the noisy side).\n\n"
        }
        var table = MarkdownTable(
            [
                "cutoff", "horizon", "days replayed", "planner", "GPUs", "short minutes", "short 15-min intervals",
                "SLA minutes", "worst shortfall (GPUs)", "busy GPU-h", "idle GPU-h", "idle $",
            ], alignment: "llrlrrrrrrrr")
        for cutoff in backtest.cutoffs {
            for replay in backtest.replays
            where replay.cutoffDay == cutoff
                && (replay.planner == PlanBacktest.phasecast || replay.planner == PlanBacktest.reactive)
            {
                table.row([
                    Horizon.shortDate(cutoff), replay.horizon.label, String(replay.days),
                    replay.planner == PlanBacktest.phasecast ? "phasecast P\(q)" : "reactive",
                    replay.planner == PlanBacktest.phasecast
                        ? String(Int(replay.gpus)) : Self.decimal(replay.gpus) + " (mean)",
                    Self.share(replay.totals.shortMinuteShare), Self.share(replay.totals.shortIntervalShare),
                    Self.share(replay.totals.slaMinuteShare), Self.decimal(replay.totals.worstShortfallGPUs),
                    Self.hours(replay.totals.busyGPUHours), Self.hours(replay.totals.idleGPUHours),
                    Self.money(replay.totals.idleDollars),
                ])
            }
        }
        md += table.markdown + "\n"
        md += verdict(backtest)
        md += ablationTable(backtest)
        return md
    }

    /// Where the plan stands against the goal: at most 1 % of minutes short at P90, with fewer
    /// idle GPU-hours than the earlier stack.
    static func verdict(_ backtest: PlanBacktest) -> String {
        guard let horizon = ablationHorizon(backtest) else { return "" }
        let plan = backtest.total(planner: PlanBacktest.phasecast, horizon: horizon.key).totals
        let reactive = backtest.total(planner: PlanBacktest.reactive, horizon: horizon.key).totals
        let previousName = PlanBacktest.variants.last?.name ?? ""
        let previous = backtest.total(planner: previousName, horizon: horizon.key).totals
        var text = "Over the \(horizon.label) plans: "
        text += String(
            format: "%@ of minutes short (goal: at most 1 %%), %@ fewer idle GPU-hours than the previous stack",
            Self.share(plan.shortMinuteShare),
            Self.share(previous.idleGPUHours > 0 ? 1 - plan.idleGPUHours / previous.idleGPUHours : 0))
        text += String(
            format:
                "; the reactive planner was short in %@ of minutes and %@ of 15-minute intervals, leaving %@ of its busy GPU-hours unserved, with %@ the plan's idle GPU-hours.\n\n",
            Self.share(reactive.shortMinuteShare), Self.share(reactive.shortIntervalShare),
            Self.share(reactive.unservedShare),
            Self.share(plan.idleGPUHours > 0 ? reactive.idleGPUHours / plan.idleGPUHours : 0))
        return text
    }

    /// The horizon the allowances are judged on: 30 days when replayed, else the longest replayed.
    static func ablationHorizon(_ backtest: PlanBacktest) -> Horizon? {
        let horizons = backtest.replays.map(\.horizon)
        return horizons.first { $0.key == "30d" }
            ?? horizons.max { $0.lastDay - $0.firstDay < $1.lastDay - $1.firstDay }
    }

    static func ablationTable(_ backtest: PlanBacktest) -> String {
        guard let horizon = ablationHorizon(backtest) else { return "" }
        let cutoffs = backtest.total(planner: PlanBacktest.phasecast, horizon: horizon.key).cutoffs
        let md =
            "What each allowance is worth: the \(horizon.label) plan with one taken out, over the \(cutoffs) cutoff\(cutoffs == 1 ? "" : "s") above. The replay costs demand with the same cost model, so it cannot show what the cost-model spread protects against (its own error); it shows only what that allowance costs.\n\n"
        var table = MarkdownTable(
            [
                "headroom stack", "GPUs", "short minutes", "short 15-min intervals", "SLA minutes", "idle GPU-h",
                "idle $",
            ],
            alignment: "lrrrrrr")
        let names = [PlanBacktest.phasecast] + PlanBacktest.variants.map(\.name) + [PlanBacktest.reactive]
        for name in names {
            let rows = backtest.replays.filter { $0.planner == name && $0.horizon.key == horizon.key }
            guard !rows.isEmpty else { continue }
            let totals = backtest.total(planner: name, horizon: horizon.key).totals
            let gpus = rows.reduce(0) { $0 + $1.gpus } / Double(rows.count)
            table.row([
                name == PlanBacktest.phasecast
                    ? "full (P\(backtest.quantile))"
                    : name == PlanBacktest.reactive
                        ? "reactive, every \(backtest.reactiveIntervalMinutes * 60) s" : name,
                Self.decimal(gpus), Self.share(totals.shortMinuteShare), Self.share(totals.shortIntervalShare),
                Self.share(totals.slaMinuteShare), Self.hours(totals.idleGPUHours), Self.money(totals.idleDollars),
            ])
        }
        return md + table.markdown + "\n"
    }

    /// GPU-hours: grouped digits when large, decimals when small.
    static func hours(_ value: Double) -> String { value >= 1000 ? money(value) : decimal(value) }

    /// A share as a percentage with the precision small shares need.
    static func share(_ value: Double) -> String {
        let percent = value * 100
        if percent == 0 { return "0 %" }
        if percent < 0.1 { return "<0.1 %" }
        return percent < 10 ? String(format: "%.1f %%", percent) : String(format: "%.0f %%", percent)
    }

    /// `plan_backtest.csv`: every replay, the variants included.
    public func planBacktestCSV() -> String { Self.planBacktestCSV(input.backtest) }

    /// `plan_backtest.csv` of a backtest.
    public static func planBacktestCSV(_ backtest: PlanBacktest?) -> String {
        var csv =
            "cutoff,horizon,through,days_replayed,planner,gpus,minutes,short_minutes,intervals,short_intervals,sla_minutes,worst_shortfall_gpus,busy_gpu_hours,unserved_gpu_hours,provisioned_gpu_hours,idle_gpu_hours,idle_dollars\n"
        for replay in backtest?.replays ?? [] {
            let t = replay.totals
            let fields: [String] = [
                Horizon.isoDate(replay.cutoffDay), replay.horizon.key, Horizon.isoDate(replay.horizon.lastDay),
                String(replay.days), Self.csvField(replay.planner), Self.plain(replay.gpus), String(t.minutes),
                String(t.shortMinutes), String(t.intervals), String(t.shortIntervals), String(t.slaMinutes),
                Self.plain(t.worstShortfallGPUs), Self.plain(t.busyGPUHours), Self.plain(t.unservedGPUHours),
                Self.plain(t.provisionedGPUHours), Self.plain(t.idleGPUHours), Self.plain(t.idleDollars),
            ]
            csv += fields.joined(separator: ",") + "\n"
        }
        return csv
    }
}
