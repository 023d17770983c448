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
}
