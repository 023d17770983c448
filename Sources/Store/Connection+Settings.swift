extension Connection {
    /// The day boundary's offset from UTC, in minutes: the `settings` row `utc_offset_minutes`
    /// the transform keeps (0 when unset), by which rollup minutes become local hours and days.
    public func utcOffsetMinutes() throws -> Int64 {
        Int64(try queryFirst("SELECT value FROM settings WHERE key = 'utc_offset_minutes'")?.text("value") ?? "0") ?? 0
    }
}
