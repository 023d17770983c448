import Synchronization

/// Counters the reading and parsing threads publish for the progress line.
final class IngestProgress: Sendable {
    let rawBytesRead = Atomic<Int64>(0)
    let rowsParsed = Atomic<Int64>(0)
}
