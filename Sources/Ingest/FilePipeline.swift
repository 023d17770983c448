import Extract
import LogFormats

/// The reading and parsing threads of one input: one inflates into pooled chunks, one parses
/// them and rolls requests up, and both hand their results to the writer through `messages`.
///
/// A pipeline may start before the writer gets to its file — `FileLoader` starts the next
/// input's while it writes the current one — so that on a night of many files the parsing of
/// one overlaps the writing of another. Its queues are bounded: a pipeline that runs ahead
/// stops when they are full, holding at most its chunks, its rollup cells and a few batches.
final class FilePipeline {
    /// The registry path of the input, to tell which plan a prepared pipeline belongs to.
    let registryPath: String
    let reader: DecompressingReader
    let messages: BoundedQueue<WorkerMessage>
    /// This input's counters for the progress line.
    let progress = IngestProgress()
    private let events: BoundedQueue<ReadEvent>
    private let pool: ChunkPool
    private let readThread: WorkerThread
    private let parseThread: WorkerThread
    private var stopped = false

    /// Starts reading and parsing `source` as `plan` says.
    init(source: ByteSource, plan: FileLoader.Plan, options: IngestOptions) {
        registryPath = plan.registryPath
        reader = DecompressingReader(source: source)
        pool = ChunkPool(count: FileLoader.chunkCount, size: FileLoader.chunkSize)
        events = BoundedQueue<ReadEvent>(capacity: FileLoader.chunkCount)
        messages = BoundedQueue<WorkerMessage>(capacity: FileLoader.messageQueueDepth)
        let progress = progress
        let (pool, events) = (pool, events)
        let handover = Handover(value: reader)
        readThread = WorkerThread(name: "phasecast-read") {
            ReadWorker.run(reader: handover.value, pool: pool, events: events, progress: progress)
        }
        var parse = options.parse
        parse.fileTime = plan.stamp.map { $0.modifiedNanos / 1000 }
        let worker = ParseWorker(
            forcedFormat: options.format, options: parse, keepRaw: options.keepRaw,
            events: events, pool: pool, output: messages, progress: progress)
        parseThread = WorkerThread(name: "phasecast-parse") { worker.run() }
    }

    /// Stops both threads (they stop by themselves after the last message) and waits for them.
    /// Safe to call more than once.
    func stop() {
        guard !stopped else { return }
        stopped = true
        messages.cancel()
        events.cancel()
        pool.close()
        parseThread.join()
        readThread.join()
    }

    deinit { stop() }

    /// What the reader had read when it stopped, for a file that did not finish.
    var partialTotals: ReadTotals {
        ReadTotals(
            rawBytes: reader.rawBytesRead, decompressedBytes: reader.bytesDelivered, compressed: reader.isCompressed,
            fingerprint: reader.contentFingerprint.text, rawFingerprint: reader.rawFingerprint.text)
    }
}
