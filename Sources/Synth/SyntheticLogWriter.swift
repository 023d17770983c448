import Extract
import Foundation
import PhasecastCore

/// Writes the logs of a `SyntheticFleet`: one gzipped JSONL file per model and day under
/// `<out>/logs/<YYYY-MM-DD>/`, and beside them `holidays.csv` and `synth.txt` (the parameters).
public struct SyntheticLogWriter: Sendable {
    public let fleet: SyntheticFleet
    public let directory: String

    public init(fleet: SyntheticFleet, directory: String) {
        self.fleet = fleet
        self.directory = directory
    }

    /// What a write did.
    public struct Summary: Sendable, Equatable {
        public var files = 0
        public var requests = 0
        public var badLines = 0
        /// Files left as they were, written before with the same parameters.
        public var reused = 0
    }

    /// The parameters a directory's logs were written with; the logs are rewritten when they differ.
    var manifest: String {
        "phasecast synth: days=\(fleet.days) end=\(UTCTime.isoDate(micros: fleet.endDay * UTCTime.microsPerDay)) seed=\(fleet.seed) scale=\(fleet.scale) version=1\n"
    }

    /// Writes the fleet's logs, leaving files written before with the same parameters.
    public func write() throws -> Summary {
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let manifestPath = directory + "/synth.txt"
        let unchanged = (try? String(contentsOfFile: manifestPath, encoding: .utf8)) == manifest
        let days = (0..<fleet.days).map { fleet.firstDay + Int64($0) }
        let results = parallelMap(days.count) { index -> Result<Summary, Error> in
            Result { try writeDay(days[index], reuse: unchanged) }
        }
        var summary = Summary()
        for result in results {
            let day = try result.get()
            summary.files += day.files
            summary.requests += day.requests
            summary.badLines += day.badLines
            summary.reused += day.reused
        }
        var holidays = "date,name\n"
        for (index, day) in (fleet.holidays + [fleet.endDay + 20]).enumerated() {
            holidays += "\(UTCTime.isoDate(micros: day * UTCTime.microsPerDay)),holiday \(index + 1)\n"
        }
        try holidays.write(toFile: directory + "/holidays.csv", atomically: true, encoding: .utf8)
        try manifest.write(toFile: manifestPath, atomically: true, encoding: .utf8)
        return summary
    }

    /// Writes one day's files (or leaves them when written before with the same parameters).
    func writeDay(_ day: Int64, reuse: Bool) throws -> Summary {
        let date = UTCTime.isoDate(micros: day * UTCTime.microsPerDay)
        let folder = directory + "/logs/" + date
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var summary = Summary()
        for model in fleet.models {
            let count = fleet.requests(model, day: day)
            guard count > 0 else { continue }
            let path =
                folder + "/" + model.name.replacingOccurrences(of: ":", with: "_") + "." + model.format.fileExtension
            summary.files += 1
            if reuse && FileManager.default.fileExists(atPath: path) {
                summary.reused += 1
                continue
            }
            var random = SplitMix64(seed: fleet.seed ^ SyntheticFleet.hash(model.name + date))
            var lines = requestLines(model, day: day, count: count, random: &random)
            // A few malformed lines on some days, as log shipping produces.
            if (day - fleet.firstDay) % 29 == 7 && model.format == .openAIChat {
                lines.insert(#"{"id":"chatcmpl-cut","object":"chat.completion","created":"#, at: lines.count / 2)
                lines.append(
                    #"{"id":"chatcmpl-neg","object":"chat.completion","created":"# + "\(day * 86_400 + 43_200)"
                        + #","model":"chat-70b","usage":{"prompt_tokens":-12,"completion_tokens":40}}"#)
                summary.badLines += 2
                // And records that are not served requests: a response logged while still queued.
                let queued = day * 86_400 + 43_260
                lines.append(
                    #"{"id":"resp-queued","object":"response","created_at":"# + "\(queued)"
                        + #","status":"queued","model":"chat-70b","usage":null}"#)
            }
            let temporary = path + ".partial"
            let writer = try GzipWriter(path: temporary, level: 1)
            var buffer = ""
            buffer.reserveCapacity(1 << 20)
            for line in lines {
                buffer += line
                buffer += "\n"
                if buffer.utf8.count >= 1 << 20 {
                    try writer.write(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try writer.write(buffer)
            try writer.finish()
            if fleet.truncatedFile == (day, model.name) {
                // Cut short: the stream ends mid-member, as a copy interrupted by a full disk does.
                let size = (try FileManager.default.attributesOfItem(atPath: temporary)[.size] as? Int) ?? 0
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
                try handle.truncate(atOffset: UInt64(size * 3 / 5))
                try handle.close()
            }
            _ = try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
            summary.requests += count
        }
        return summary
    }

    /// The log lines of `count` requests of `model` on `day`, in time order.
    func requestLines(_ model: SyntheticFleet.Model, day: Int64, count: Int, random: inout SplitMix64) -> [String] {
        let weights = SyntheticFleet.hourlyWeights
        let total = weights.reduce(0, +)
        var cumulative: [Double] = []
        var sum = 0.0
        for weight in weights {
            sum += weight / total
            cumulative.append(sum)
        }
        var seconds = (0..<count).map { _ -> Double in
            let u = random.uniform()
            let hour = cumulative.firstIndex { u < $0 } ?? 23
            return Double(hour) * 3600 + random.uniform() * 3600
        }
        seconds.sort()
        let start = Double(day * 86_400)
        return seconds.enumerated().map { index, second in
            let prompt = max(1, Int((model.promptMedian * exp(0.8 * random.normal())).rounded()))
            let output = max(1, Int((model.outputMedian * exp(0.7 * random.normal())).rounded()))
            let cached = min(prompt - 1, max(0, Int(Double(prompt) * model.cachedShare * (0.5 + random.uniform()))))
            return line(model, time: start + second, index: index, prompt: prompt, cached: cached, output: output)
        }
    }

    func line(_ model: SyntheticFleet.Model, time: Double, index: Int, prompt: Int, cached: Int, output: Int) -> String
    {
        let epoch = Int(time)
        switch model.format {
        case .openAIChat:
            return
                #"{"id":"chatcmpl-\#(epoch)-\#(index)","object":"chat.completion","created":\#(epoch),"model":"\#(model.name)","usage":{"prompt_tokens":\#(prompt),"completion_tokens":\#(output),"total_tokens":\#(prompt + output),"prompt_tokens_details":{"cached_tokens":\#(cached)}}}"#
        case .openAIResponses:
            return
                #"{"id":"resp_\#(epoch)_\#(index)","object":"response","created_at":\#(epoch),"status":"completed","model":"\#(model.name)","usage":{"input_tokens":\#(prompt),"input_tokens_details":{"cached_tokens":\#(cached)},"output_tokens":\#(output),"total_tokens":\#(prompt + output)}}"#
        case .bedrock:
            let stamp = UTCTime.iso8601(micros: Int64(epoch) * 1_000_000)
            return
                #"{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"\#(stamp)","requestId":"r-\#(epoch)-\#(index)","operation":"Converse","modelId":"\#(model.name)","input":{"inputContentType":"application/json","inputTokenCount":\#(prompt - cached),"cacheReadInputTokenCount":\#(cached),"cacheWriteInputTokenCount":0},"output":{"outputContentType":"application/json","outputTokenCount":\#(output)}}"#
        case .anthropic:
            let stamp = UTCTime.iso8601(micros: Int64(epoch) * 1_000_000)
            return
                #"{"timestamp":"\#(stamp)","id":"msg_\#(epoch)_\#(index)","type":"message","model":"\#(model.name)","usage":{"input_tokens":\#(prompt - cached),"cache_read_input_tokens":\#(cached),"cache_creation_input_tokens":0,"output_tokens":\#(output)}}"#
        }
    }
}
