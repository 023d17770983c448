import Foundation

/// The live progress line on a terminal's standard error: file, percentage, MB/s, rows/s, ETA.
public final class ProgressLine: @unchecked Sendable {
    private var name = ""
    private var size: Int64?
    private var started = Date()
    private var shown = false

    public init() {}

    /// Whether standard error is a terminal.
    public static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    func begin(name: String, size: Int64?) {
        self.name = name
        self.size = size
        started = Date()
    }

    func update(rawBytes: Int64, rows: Int64) {
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        var text = name
        if let size, size > 0 {
            let fraction = min(1, Double(rawBytes) / Double(size))
            text += String(format: "  %3.0f%%", fraction * 100)
            if fraction > 0.01 {
                let remaining = elapsed / fraction - elapsed
                text += String(format: "  ETA %d:%02d", Int(remaining) / 60, Int(remaining) % 60)
            }
        }
        text +=
            String(format: "  %.1f MB/s  ", Double(rawBytes) / elapsed / 1e6) + Self.compact(Double(rows) / elapsed)
            + " rows/s"
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
        shown = true
    }

    func end() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        shown = false
    }

    /// 1234567 → "1.23 M".
    static func compact(_ value: Double) -> String {
        if value >= 1e6 { return String(format: "%.2f M", value / 1e6) }
        if value >= 1e3 { return String(format: "%.1f k", value / 1e3) }
        return String(format: "%.0f", value)
    }
}
