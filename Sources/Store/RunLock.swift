import Foundation
import PhasecastCore

/// An exclusive lock on a database for the length of a run, so that two writers (two cron jobs,
/// a cron job and a manual run) never interleave their files.
///
/// It is an `flock` on `<database>.lock`, which the kernel releases when the process ends in
/// any way, so a killed run never leaves a stale lock. The holder's pid is written into the file
/// for the message the next run shows.
public final class RunLock {
    public let path: String
    /// The lock file's descriptor; -1 when this process already held the lock (a stage of
    /// `phasecast run` taking the lock its pipeline holds), so that releasing leaves it held.
    private let descriptor: Int32

    /// Lock files this process holds, so that a stage inside a pipeline run may "take" the lock
    /// its run already holds (flock would refuse a second descriptor of the same process).
    private static let held = HeldPaths()

    /// Takes the lock, waiting up to `waitSeconds` for another holder to finish.
    public init(databasePath: String, waitSeconds: Double) throws(RunLockError) {
        path = Self.canonical(databasePath) + ".lock"
        guard Self.held.insert(path) else {
            descriptor = -1
            return
        }
        do {
            descriptor = try Self.acquire(path: path, databasePath: databasePath, waitSeconds: waitSeconds)
        } catch {
            Self.held.remove(path)
            throw error
        }
    }

    /// The database's path with links and `.`/`..` resolved, so that every spelling of one file
    /// (a symlink, a relative path) takes the same lock. A database not created yet resolves
    /// through its folder.
    static func canonical(_ databasePath: String) -> String {
        if let resolved = realpath(databasePath, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        let url = URL(fileURLWithPath: databasePath)
        let folder = url.deletingLastPathComponent().path
        guard let resolved = realpath(folder, nil) else { return databasePath }
        defer { free(resolved) }
        return String(cString: resolved) + "/" + url.lastPathComponent
    }

    private static func acquire(path: String, databasePath: String, waitSeconds: Double) throws(RunLockError) -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .unavailable(path: path, reason: String(cString: strerror(errno))) }
        let deadline = Date().addingTimeInterval(max(0, waitSeconds))
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw .unavailable(path: path, reason: reason)
            }
            if Date() >= deadline {
                let holder = RunLock.holder(fd)
                close(fd)
                throw .held(databasePath: databasePath, holder: holder, waited: waitSeconds)
            }
            usleep(100_000)
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        return fd
    }

    deinit {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        Self.held.remove(path)
    }

    private static func holder(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 31, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}

/// Why the run lock could not be taken.
public enum RunLockError: PhasecastError {
    case held(databasePath: String, holder: String?, waited: Double)
    case unavailable(path: String, reason: String)

    public var description: String {
        switch self {
        case .held(let databasePath, let holder, let waited):
            let who = holder.map { " (pid \($0))" } ?? ""
            let waitedText = waited > 0 ? " after waiting \(waited) s" : ""
            return "another phasecast run\(who) is writing to \(databasePath)\(waitedText); "
                + "try again later, or pass --wait SECONDS"
        case .unavailable(let path, let reason):
            return "cannot open the lock file \(path): \(reason)"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .held: .tempFail
        case .unavailable: .ioError
        }
    }
}

/// A set of paths shared by the threads of the process.
private final class HeldPaths: @unchecked Sendable {
    private var paths = Set<String>()
    private let lock = NSLock()

    /// Adds `path`; false when it was there already.
    func insert(_ path: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return paths.insert(path).inserted
    }

    func remove(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        paths.remove(path)
    }
}
