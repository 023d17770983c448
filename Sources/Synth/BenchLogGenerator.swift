import Extract
import Foundation
import PhasecastCore

/// Writes the ingest benchmark's logs: the same N requests as an Azure-format `.csv.gz` and as
/// OpenAI Chat Completions `.jsonl.gz`. Deterministic for a given N.
///
/// Requests arrive over 14 days from 2023-11-16 with a diurnal rate (1 ± 0.6 sin); prompt
/// lengths are lognormal with median 1000 and σ 1.0 (clipped to 1…131072), outputs lognormal with
/// median 200 and σ 0.9 (clipped to 1…8192); 30 % of requests reuse a cached prefix of up to 90 %
/// of their prompt; four models share the traffic 45/30/15/10. These are the shapes of the C
/// baseline's generator, so both tools see comparable files.
public struct BenchLogGenerator: Sendable {
    public let rows: Int

    public init(rows: Int) { self.rows = rows }
    static let start: Double = 1_700_092_800  // 2023-11-16T00:00:00Z
    static let days = 14.0
    static let models = ["llama-3.1-70b", "llama-3.1-8b", "gpt-4o-mini", "mixtral-8x22b"]
    static let modelShares = [0.45, 0.30, 0.15, 0.10]

    /// Writes both files.
    public func write(csvPath: String, jsonlPath: String) throws {
        let csv = try GzipWriter(path: csvPath, level: 6)
        let jsonl = try GzipWriter(path: jsonlPath, level: 6)
        var random = SplitMix64(seed: 20_231_116)
        var csvText = ByteText()
        var jsonText = ByteText()
        csvText.append("TIMESTAMP,ContextTokens,GeneratedTokens\n")
        let meanRate = Double(rows) / (Self.days * 86_400)
        var t = Self.start
        var cumulative: [Double] = []
        var running = 0.0
        for share in Self.modelShares {
            running += share
            cumulative.append(running)
        }
        for _ in 0..<rows {
            let phase = (t - Self.start) / 86_400 - 0.25
            let rate = meanRate * (1 + 0.6 * sin(2 * Double.pi * phase))
            t += -log(random.uniform()) / max(rate, meanRate * 0.05)
            let context = Int(min(131_072, max(1, (1000 * exp(random.normal())).rounded())))
            let generated = Int(min(8192, max(1, (200 * exp(0.9 * random.normal())).rounded())))
            let pick = random.uniform()
            let model = cumulative.firstIndex { pick < $0 } ?? 0
            let cached = random.uniform() < 0.3 ? Int(Double(context) * random.uniform() * 0.9) : 0
            let seconds = Int64(t)
            let ticks = Int64((t - Double(seconds)) * 10_000_000)
            csvText.appendTimestamp(seconds: seconds, ticks: ticks)
            csvText.append(",")
            csvText.append(context)
            csvText.append(",")
            csvText.append(generated)
            csvText.append("\n")
            jsonText.append(#"{"created":"#)
            jsonText.append(Int(seconds))
            jsonText.append(#","model":""#)
            jsonText.append(Self.models[model])
            jsonText.append(#"","usage":{"prompt_tokens":"#)
            jsonText.append(context)
            jsonText.append(#","completion_tokens":"#)
            jsonText.append(generated)
            jsonText.append(#","prompt_tokens_details":{"cached_tokens":"#)
            jsonText.append(cached)
            jsonText.append("}}}\n")
            if csvText.bytes.count > 1 << 20 { try csvText.flush(to: csv) }
            if jsonText.bytes.count > 1 << 20 { try jsonText.flush(to: jsonl) }
        }
        try csvText.flush(to: csv)
        try jsonText.flush(to: jsonl)
        try csv.finish()
        try jsonl.finish()
    }
}

/// A byte buffer that formats integers and timestamps without Foundation.
struct ByteText: Sendable {
    var bytes: [UInt8] = []

    mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func append(_ value: Int) {
        if value < 10 {
            bytes.append(UInt8(48 + value))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[count] = UInt8(48 + rest % 10)
                rest /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
    }

    mutating func appendPadded(_ value: Int64, _ width: Int) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(48 + (rest / divisor) % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    /// `YYYY-MM-DD HH:MM:SS.fffffff` (UTC, 100 ns ticks), as the Azure traces write it.
    mutating func appendTimestamp(seconds: Int64, ticks: Int64) {
        let days = seconds / 86_400
        let within = seconds % 86_400
        let (y, m, d) = UTCTime.civilFromDays(days)
        appendPadded(y, 4)
        bytes.append(UInt8(ascii: "-"))
        appendPadded(m, 2)
        bytes.append(UInt8(ascii: "-"))
        appendPadded(d, 2)
        bytes.append(UInt8(ascii: " "))
        appendPadded(within / 3600, 2)
        bytes.append(UInt8(ascii: ":"))
        appendPadded(within / 60 % 60, 2)
        bytes.append(UInt8(ascii: ":"))
        appendPadded(within % 60, 2)
        bytes.append(UInt8(ascii: "."))
        appendPadded(ticks, 7)
    }

    mutating func flush(to writer: GzipWriter) throws {
        try bytes.withUnsafeBytes { try writer.write($0) }
        bytes.removeAll(keepingCapacity: true)
    }
}
