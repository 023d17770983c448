/// The three token counts of one request, normalized across providers.
///
/// `prompt` includes the cached tokens, whatever the provider called "input tokens";
/// `prefill` (prompt − cached) is the work the prefill phase computes.
public struct TokenCounts: Sendable, Equatable, Hashable {
    public var prompt: Int64
    public var cached: Int64
    public var output: Int64

    public init(prompt: Int64, cached: Int64, output: Int64) {
        self.prompt = prompt
        self.cached = cached
        self.output = output
    }

    /// Prompt tokens the prefill phase computes: those not served from a prefix cache.
    @inlinable public var prefill: Int64 { prompt - cached }
}
