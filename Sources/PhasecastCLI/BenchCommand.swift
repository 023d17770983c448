import ArgumentParser

/// `phasecast bench`: measures ingest against zlib and a C baseline (filled in below).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure ingest speed against gzip and a C baseline on generated logs.")
    func run() throws {}
}
