import Foundation
import PhasecastCore

/// The fleet `phasecast synth` simulates: four models behind one gateway, each logging in the
/// format of the stack that serves it, over `days` days ending on `endDay`.
///
/// - `chat-70b` (OpenAI Chat Completions records): chat, about 1,200 prompt and 300 output
///   tokens, a third of prompts from cache; growing 0.1 % a day.
/// - `meta.llama3-1-8b-instruct-v1:0` (Bedrock invocation logs): retrieval-augmented answers,
///   about 6,000 prompt tokens (40 % cached) and 150 output tokens: prefill-heavy; 0.4 % a day.
/// - `code-32b` (Anthropic Messages usage): code assistance, about 3,500 prompt and 250 output
///   tokens; 0.5 % a day.
/// - `reasoner-120b` (OpenAI Responses records): a reasoning model launched half way through,
///   ramping up over three weeks, then growing 1.5 % a day; about 900 prompt and 3,500 output
///   tokens: decode-heavy. As it takes a growing share the fleet turns decode-heavy.
///
/// Traffic has a diurnal cycle (peak at 15:00 UTC, about 3× the night), weekends at 60 %, two
/// holidays at 40 % (listed in `holidays.csv`) and 5 % day-to-day noise. A few lines are
/// malformed and one file is cut short, as real log shipping does.
public struct SyntheticFleet: Sendable {
    public struct Model: Sendable {
        public var name: String
        public var format: Format
        /// Requests a day at the end of the span, before weekly and holiday effects.
        public var requestsAtEnd: Double
        public var promptMedian: Double
        public var outputMedian: Double
        public var cachedShare: Double
        /// Growth of requests a day, as a fraction.
        public var dailyGrowth: Double
        /// Fraction of the span at which it launches (0: from the start).
        public var launch: Double = 0
    }

    public enum Format: String, Sendable {
        case openAIChat = "openai-chat"
        case openAIResponses = "openai-responses"
        case bedrock
        case anthropic

        public var fileExtension: String { "jsonl.gz" }
    }

    public var days: Int
    /// Days since the epoch of the last day.
    public var endDay: Int64
    public var seed: UInt64
    public var scale: Double

    public var models: [Model] {
        [
            Model(
                name: "chat-70b", format: .openAIChat, requestsAtEnd: 12_000 * scale, promptMedian: 1_200,
                outputMedian: 300,
                cachedShare: 0.33, dailyGrowth: 0.001),
            Model(
                name: "meta.llama3-1-8b-instruct-v1:0", format: .bedrock, requestsAtEnd: 9_000 * scale,
                promptMedian: 6_000,
                outputMedian: 150, cachedShare: 0.4, dailyGrowth: 0.004),
            Model(
                name: "code-32b", format: .anthropic, requestsAtEnd: 7_000 * scale, promptMedian: 3_500,
                outputMedian: 250,
                cachedShare: 0.5, dailyGrowth: 0.005),
            Model(
                name: "reasoner-120b", format: .openAIResponses, requestsAtEnd: 12_000 * scale, promptMedian: 900,
                outputMedian: 3_500, cachedShare: 0.2, dailyGrowth: 0.015, launch: 0.5),
        ]
    }

    public var firstDay: Int64 { endDay - Int64(days) + 1 }

    /// Days at 40 % of normal traffic: one a third of the way in, one at two thirds.
    public var holidays: [Int64] { [firstDay + Int64(days / 3), firstDay + Int64(2 * days / 3) + 3] }

    /// The day whose file of `model` is cut short (mid-span, so it shows as a gap).
    public var truncatedFile: (day: Int64, model: String) {
        (firstDay + Int64(days * 5 / 6), "meta.llama3-1-8b-instruct-v1:0")
    }

    /// Requests of `model` on `day`.
    public func requests(_ model: Model, day: Int64) -> Int {
        let index = Double(day - firstDay)
        let span = Double(days)
        guard index >= model.launch * span else { return 0 }
        var level = model.requestsAtEnd * exp(model.dailyGrowth * (index - span + 1))
        // Three weeks of ramp after a launch.
        if model.launch > 0 { level *= min(1, (index - model.launch * span + 1) / 21) }
        let weekday = Int(((day % 7) + 10) % 7)  // 0 = Monday
        if weekday >= 5 { level *= 0.6 }
        if holidays.contains(day) { level *= 0.4 }
        var random = SplitMix64(seed: seed ^ UInt64(bitPattern: day &* 1_000_003) ^ Self.hash(model.name))
        return max(0, Int((level * (1 + 0.05 * random.normal())).rounded()))
    }

    /// Relative traffic by hour of day (UTC): a cosine with its peak at 15:00, night at a third.
    public static let hourlyWeights: [Double] = (0..<24).map { hour in 2 + cos(Double(hour - 15) * 2 * .pi / 24) }

    public init(days: Int, endDay: Int64, seed: UInt64, scale: Double) {
        self.days = days
        self.endDay = endDay
        self.seed = seed
        self.scale = scale
    }

    /// A seed derived from a name. The fleet's logs were defined with this offset basis (not
    /// FNV-1a's own), so it stays: another would change every synthesized byte.
    static func hash(_ text: String) -> UInt64 {
        var hash = ContentHash(offsetBasis: 1_469_598_103_934_665_603)
        hash.mix(text)
        return hash.value
    }
}
