import PhasecastCore

/// Reads the status words and codes that logs use into `RequestStatus`.
public enum RequestStatusText {
    /// Failed for failure words (`failure`, `error`, `canceled`, …), `false`, and HTTP codes
    /// 400–599; ok otherwise, including an empty field.
    public static func interpret(_ raw: UnsafeRawBufferPointer) -> RequestStatus {
        let bytes = ByteParsing.trimmed(raw)
        if bytes.count == 0 { return .ok }
        if case .value(let code) = ByteParsing.tokenCount(bytes) {
            return code >= 400 && code <= 599 ? .failed : .ok
        }
        let failureWords: [StaticString] = [
            "failure", "failed", "fail", "error", "errored", "false", "canceled", "cancelled",
            "expired", "timeout", "aborted",
        ]
        for word in failureWords where ByteParsing.equalsIgnoringCase(bytes, word) { return .failed }
        return .ok
    }

    /// What a status says became of a request.
    public enum Outcome: Sendable, Equatable {
        case served
        case failed
        /// Logged before it finished: queued, in progress.
        case unfinished
        case cancelled
    }

    /// The outcome a status word or code states: `queued`, `in_progress`, `pending`, `running`
    /// are unfinished; `cancelled`, `canceled`, `expired` cancelled; other failure words and HTTP
    /// 400–599 failed; anything else (`completed`, `succeeded`, `200`, empty) served.
    public static func outcome(_ raw: UnsafeRawBufferPointer) -> Outcome {
        let bytes = ByteParsing.trimmed(raw)
        let unfinished: [StaticString] = ["queued", "in_progress", "in progress", "pending", "running", "started"]
        for word in unfinished where ByteParsing.equalsIgnoringCase(bytes, word) { return .unfinished }
        let cancelled: [StaticString] = ["cancelled", "canceled", "expired", "cancelling"]
        for word in cancelled where ByteParsing.equalsIgnoringCase(bytes, word) { return .cancelled }
        return interpret(bytes) == .failed ? .failed : .served
    }
}
