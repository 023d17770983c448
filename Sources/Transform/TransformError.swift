import PhasecastCore
import Store

/// Why a transform failed. Model errors name the model; a failed test shows its first rows.
public enum TransformError: PhasecastError, Equatable {
    case malformedModel(path: String, line: Int, reason: String)
    case unknownDependency(model: String, dependency: String)
    case cycle([String])
    /// A model's SQL failed; `status` is the exit status of the SQLite error (74 for a full disk).
    case modelFailed(model: String, message: String, status: ExitStatus = .software)
    case testFailed(model: String, test: String, columns: [String], rows: [[SQLValue]])
    case seedFailed(file: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .malformedModel(let path, let line, let reason): return "\(path): line \(line): \(reason)"
        case .unknownDependency(let model, let dependency):
            return "model \(model) depends on \(dependency), which is no model"
        case .cycle(let names): return "models depend on each other in a cycle: \(names.joined(separator: " → "))"
        case .modelFailed(let model, let message, _): return "model \(model) failed: \(message)"
        case .testFailed(let model, let test, let columns, let rows):
            var text = "model \(model): test '\(test)' failed; first offending rows:\n"
            text += "  " + columns.joined(separator: " | ")
            for row in rows { text += "\n  " + row.map(\.description).joined(separator: " | ") }
            return text
        case .seedFailed(let file, let line, let reason): return "seed \(file): line \(line): \(reason)"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .testFailed: .dataError
        case .malformedModel, .unknownDependency, .cycle, .seedFailed: .config
        case .modelFailed(_, _, let status): status
        }
    }
}
