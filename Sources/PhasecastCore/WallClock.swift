import Foundation

/// The current time, the one reading of the wall clock for timestamps that phasecast stores
/// (`created_at`, `updated_at`, …). Durations are measured with `Date` where they happen.
public enum WallClock {
    /// Now, as whole seconds since the epoch in microseconds.
    public static func nowMicros() -> Int64 {
        Int64(Date().timeIntervalSince1970) * UTCTime.microsPerSecond
    }

    /// Now, as ISO 8601 text to the second: `2026-12-01T20:37:43Z`.
    public static func nowISO8601() -> String { UTCTime.iso8601(micros: nowMicros()) }

    /// Days since the epoch of today (UTC).
    public static func today() -> Int64 { UTCTime.floorDiv(nowMicros(), UTCTime.microsPerDay) }
}
