import Foundation
import PhasecastCore

extension SyntheticLogWriter {
    /// Writes the logs as `write()` does and says what it wrote in one line; a failure to write
    /// is an I/O error naming the directory.
    public func writeReporting() throws -> (summary: Summary, line: String) {
        let started = Date()
        let summary: Summary
        do {
            summary = try write()
        } catch let error as PhasecastError {
            throw error
        } catch {
            throw SynthError(directory: directory, reason: error.localizedDescription)
        }
        let span = "\(CalendarDay.format(fleet.firstDay))…\(CalendarDay.format(fleet.endDay))"
        if summary.reused == summary.files {
            return (summary, "\(summary.files) files for \(span) already in \(directory) (same seed and parameters)")
        }
        let line = String(
            format: "%d files, %d requests, %d malformed lines, 1 truncated file for %@ → %@ in %.1f s",
            summary.files, summary.requests, summary.badLines, span, directory, Date().timeIntervalSince(started))
        return (summary, line)
    }
}

/// The synthetic logs could not be written.
public struct SynthError: PhasecastError {
    public var directory: String
    public var reason: String

    public var description: String { "\(directory): \(reason)" }
    public var exitStatus: ExitStatus { .ioError }
}
