import Extract

/// The reading thread's loop: fills pooled chunks with decompressed bytes and queues them.
enum ReadWorker {
    static func run(
        reader: DecompressingReader, pool: ChunkPool, events: BoundedQueue<ReadEvent>, progress: IngestProgress
    ) {
        defer { events.close() }
        while let chunk = pool.take() {
            let count: Int
            do {
                count = try reader.read(into: chunk.storage)
            } catch {
                pool.give(chunk)
                events.push(.failed(error))
                return
            }
            progress.rawBytesRead.store(reader.rawBytesRead, ordering: .relaxed)
            if count == 0 {
                pool.give(chunk)
                events.push(
                    .end(
                        ReadTotals(
                            rawBytes: reader.rawBytesRead, decompressedBytes: reader.bytesDelivered,
                            compressed: reader.isCompressed, fingerprint: reader.contentFingerprint.text,
                            rawFingerprint: reader.rawFingerprint.text)))
                return
            }
            guard events.push(.chunk(Chunk(storage: chunk.storage, count: count))) else { return }
        }
    }
}
