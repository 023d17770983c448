import CSQLite
import PhasecastCore

/// A failed SQLite call: the result code, SQLite's message and the statement, when there is one.
public struct SQLiteError: PhasecastError, Equatable {
    public let code: Int32
    public let message: String
    public let sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// The primary result code (extended codes carry it in the low byte).
    public var primaryCode: Int32 { code & 0xFF }

    /// Whether another connection holds a lock that this one needed.
    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }

    public var description: String {
        var text = "SQLite error \(code): \(message)"
        if let sql {
            let oneLine = sql.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
                .joined(separator: " ")
            text += " (in: \(oneLine.count > 160 ? String(oneLine.prefix(160)) + "…" : oneLine))"
        }
        return text
    }

    public var exitStatus: ExitStatus {
        switch primaryCode {
        case SQLITE_BUSY, SQLITE_LOCKED: .tempFail
        case SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_PERM, SQLITE_CORRUPT,
            SQLITE_NOTADB:
            .ioError
        default: .software
        }
    }
}
