import PhasecastCore

extension Phase {
    /// The GPU-hours column of this phase in the costed views (`v_daily_phase`, `v_hourly_gpu_hours`).
    var gpuHoursColumn: String { self == .prefill ? "prefill_gpu_hours" : "decode_gpu_hours" }
}
