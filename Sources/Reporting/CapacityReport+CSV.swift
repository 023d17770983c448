import Foundation
import PhasecastCore
import Planning

/// The report's CSV files: plan.csv, daily.csv and forecast.csv.
extension CapacityReport {
    public func planCSV() -> String {
        var csv =
            "scenario,horizon,through,quantile,phase,gpu,model,tp,worker,binding_day,daily_gpu_hours,peak_factor,spread_factor,sized_gpus,cost_uncertainty,utilization,workers,workers_with_spares,gpus,pool_nodes,pool_gpus,installed_gpus,short_from,order_by\n"
        for column in plan.columns {
            for cell in column.cells {
                for pool in cell.pools {
                    let installed = installedFields(
                        pool, quantile: cell.quantile, baseline: column.name == plan.baseline.name)
                    for p in pool.plans {
                        let fields: [String] = [
                            Self.csvField(column.name), cell.horizon.key, Horizon.isoDate(cell.horizon.lastDay),
                            "P\(cell.quantile)",
                            pool.phase.rawValue, Self.csvField(pool.gpu), Self.csvField(p.pool.model),
                            "\(p.pool.tp)", Self.csvField(p.pool.worker),
                            p.dailyGPUHours > 0 ? Horizon.isoDate(p.bindingDay) : "", Self.plain(p.dailyGPUHours),
                            Self.plain(p.peakFactor),
                            Self.plain(p.spreadFactor), Self.plain(p.sizedGPUs), Self.plain(p.pool.costUncertainty),
                            Self.plain(p.utilization), "\(p.workers)",
                            "\(p.workersWithSpares)", "\(p.gpus)",
                            "\(pool.nodes)", "\(pool.gpus)",
                        ]
                        csv += (fields + installed).joined(separator: ",") + "\n"
                    }
                }
            }
        }
        return csv
    }

    /// installed_gpus, short_from, order_by of a pool at a quantile: empty without a declared
    /// fleet or for scenarios (the dates are the baseline's).
    func installedFields(_ pool: FleetPool, quantile: Int, baseline: Bool) -> [String] {
        guard baseline, let installed = plan.installed?.first(where: { $0.phase == pool.phase && $0.gpu == pool.gpu })
        else { return ["", "", ""] }
        return [
            String(installed.installed), installed.exceededOn[quantile].map(Horizon.isoDate) ?? "",
            installed.orderBy(quantile).map(Horizon.isoDate) ?? "",
        ]
    }

    public func dailyCSV() -> String {
        var csv =
            "day,coverage,requests,prefill_tokens,output_tokens,token_ratio,prefill_gpu_hours,decode_gpu_hours,gpu_time_ratio\n"
        for d in input.history {
            csv +=
                [
                    Horizon.isoDate(d.day), Self.plain(d.coverage), "\(d.requests)", Self.whole(d.prefillTokens),
                    Self.whole(d.outputTokens),
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
}
