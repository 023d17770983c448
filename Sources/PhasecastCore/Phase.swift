/// The two phases of serving a request: prompt processing (compute-bound) and token
/// generation (memory-bandwidth-bound).
/// As a dictionary key in JSON it is the phase's name: `{"prefill": …, "decode": …}`.
public enum Phase: String, Sendable, CaseIterable, Codable, CodingKeyRepresentable {
    case prefill
    case decode
}
