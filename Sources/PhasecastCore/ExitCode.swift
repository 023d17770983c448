/// Process exit codes, from sysexits(3), so that cron and schedulers can tell outcomes apart.
public enum ExitStatus: Int32, Sendable, Comparable {
    /// Everything was done.
    case ok = 0
    /// The command line was wrong.
    case usage = 64
    /// Some input was bad in its content; everything else was done.
    case dataError = 65
    /// An input named on the command line does not exist.
    case noInput = 66
    /// The data the run needs did not arrive: no new log file, or the newest request older than
    /// the pipeline allows (EX_UNAVAILABLE). The rest of the run was done.
    case unavailable = 69
    /// A bug: an invariant did not hold.
    case software = 70
    /// Reading or writing failed.
    case ioError = 74
    /// Another process holds the database; try again later.
    case tempFail = 75
    /// A configuration file is wrong.
    case config = 78

    public static func < (lhs: ExitStatus, rhs: ExitStatus) -> Bool {
        lhs.severity < rhs.severity
    }

    /// Order used to pick the worst of several outcomes.
    private var severity: Int {
        switch self {
        case .ok: 0
        case .dataError: 1
        case .unavailable: 2
        case .tempFail: 3
        case .noInput: 4
        case .usage: 5
        case .config: 6
        case .ioError: 7
        case .software: 8
        }
    }
}

/// An error that knows which exit status it means and describes itself in one line.
public protocol PhasecastError: Error, CustomStringConvertible {
    var exitStatus: ExitStatus { get }
}
