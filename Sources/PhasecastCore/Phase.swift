/// The two phases of serving a request: prompt processing (compute-bound) and token
/// generation (memory-bandwidth-bound).
public enum Phase: String, Sendable, CaseIterable, Codable {
    case prefill
    case decode
}
