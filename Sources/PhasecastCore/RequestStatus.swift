/// Whether a request was served. A failed request is counted but does no decode work.
public enum RequestStatus: UInt8, Sendable, CaseIterable {
    case ok = 0
    case failed = 1

    /// The name used in SQL views and reports.
    public var name: String {
        switch self {
        case .ok: "ok"
        case .failed: "failed"
        }
    }
}
