import Foundation
import PhasecastCore
import Reporting

/// A run's figures as Prometheus metrics, for node_exporter's textfile collector: written to a
/// temporary file beside the target and renamed over it, so the collector never reads half.
public enum RunMetrics {
    /// The metrics of a finished run.
    public static func text(_ run: RunSummary) -> String {
        let pipeline = ("pipeline", run.pipeline)
        var metrics = PrometheusText()
        metrics.add(
            "phasecast_run_exit_code",
            "Exit status of the last run: 0 ok, 65 bad input, 69 no new or too old data, 75 busy, 78 bad pipeline file.",
            [.init(labels: [pipeline], value: Double(run.exitCode))])
        metrics.add(
            "phasecast_run_timestamp_seconds", "When the last run finished (Unix time).",
            [.init(labels: [pipeline], value: seconds(run.finishedAt))])
        if let last = run.lastSuccessAt {
            metrics.add(
                "phasecast_last_success_timestamp_seconds", "When the last run that exited 0 finished (Unix time).",
                [.init(labels: [pipeline], value: seconds(last))])
        }
        metrics.add(
            "phasecast_stage_duration_seconds", "Wall time of each stage of the last run.",
            run.stages.map { .init(labels: [pipeline, ("stage", $0.name)], value: $0.seconds) })
        metrics.add(
            "phasecast_stage_exit_code", "Exit status of each stage of the last run.",
            run.stages.map { .init(labels: [pipeline, ("stage", $0.name)], value: Double($0.exitCode)) })
        if let ingest = run.ingest {
            let files: [(String, Int)] = [
                ("loaded", ingest.filesLoaded), ("already_loaded", ingest.filesAlreadyLoaded),
                ("failed", ingest.filesFailed), ("quarantined", ingest.filesQuarantined),
            ]
            metrics.add(
                "phasecast_ingest_files", "Log files the last run met, by what became of them.",
                files.map { .init(labels: [pipeline, ("status", $0.0)], value: Double($0.1)) })
            metrics.add(
                "phasecast_ingest_rows", "Requests the last run loaded.",
                [.init(labels: [pipeline], value: Double(ingest.rows))])
            metrics.add(
                "phasecast_ingest_rejected_lines", "Lines the last run rejected (see v_rejects).",
                [.init(labels: [pipeline], value: Double(ingest.rejectedLines))])
        }
        if let freshness = run.freshness {
            if let age = freshness.dataAgeSeconds {
                metrics.add(
                    "phasecast_data_age_seconds",
                    "Age of the newest request in the database when the last run started.",
                    [.init(labels: [pipeline], value: age)])
            }
            metrics.add(
                "phasecast_data_stale", "1 when the last run's freshness checks failed (exit 69), else 0.",
                [.init(labels: [pipeline], value: freshness.problems.isEmpty ? 0 : 1)])
        }
        metrics.add(
            "phasecast_planned_gpus",
            "GPUs the baseline plan needs, per horizon, demand quantile (P50, P90, P95) and phase.",
            run.plan.map {
                .init(
                    labels: [pipeline, ("horizon", $0.horizon), ("demand_quantile", $0.quantile), ("phase", $0.phase)],
                    value: Double($0.gpus))
            })
        if let ratio = run.tokenRatio {
            metrics.add(
                "phasecast_prefill_decode_token_ratio", "Prefill:decode ratio in tokens of the last whole day.",
                [.init(labels: [pipeline], value: ratio)])
        }
        if let ratio = run.gpuTimeRatio {
            metrics.add(
                "phasecast_prefill_decode_gpu_time_ratio",
                "Prefill:decode ratio in busy GPU-time of the last whole day.",
                [.init(labels: [pipeline], value: ratio)])
        }
        metrics.add(
            "phasecast_forecast_error_ratio",
            "How far stored forecasts of all models' GPU-hours missed what followed (|error| / actual), by days ahead.",
            run.forecastError.compactMap { error in
                error.relativeError.map {
                    .init(labels: [pipeline, ("days_ahead", error.daysAhead), ("phase", error.phase)], value: $0)
                }
            })
        return metrics.text
    }

    /// The metrics of a run that could not start (the database busy, the pipeline file wrong).
    public static func text(failedPipeline pipeline: String, status: ExitStatus, at micros: Int64) -> String {
        var metrics = PrometheusText()
        metrics.add(
            "phasecast_run_exit_code", "Exit status of the last run.",
            [.init(labels: [("pipeline", pipeline)], value: Double(status.rawValue))])
        metrics.add(
            "phasecast_run_timestamp_seconds", "When the last run finished (Unix time).",
            [.init(labels: [("pipeline", pipeline)], value: Double(micros / 1_000_000))])
        return metrics.text
    }

    /// Writes `text` to `path` atomically: a temporary file in the same folder, renamed over it.
    public static func write(_ text: String, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let temporary =
            (folder.isEmpty ? "." : folder) + "/.\((path as NSString).lastPathComponent).\(getpid()).tmp"
        do {
            try text.write(toFile: temporary, atomically: false, encoding: .utf8)
            guard rename(temporary, path) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw StageError.file(path: path, reason: "cannot write the metrics file: " + reason, status: .ioError)
            }
        } catch let error as StageError {
            throw error
        } catch {
            unlink(temporary)
            throw StageError.file(
                path: path, reason: "cannot write the metrics file: " + error.localizedDescription, status: .ioError)
        }
    }

    /// Unix seconds of an ISO 8601 instant as phasecast writes them (`2026-12-07T02:30:01Z`).
    static func seconds(_ iso: String) -> Double {
        guard let day = CalendarDay.parse(String(iso.prefix(10))), iso.count >= 19 else { return .nan }
        let time = iso.dropFirst(11).prefix(8).split(separator: ":").compactMap { Double($0) }
        guard time.count == 3 else { return .nan }
        return Double(day) * 86_400 + time[0] * 3600 + time[1] * 60 + time[2]
    }
}
