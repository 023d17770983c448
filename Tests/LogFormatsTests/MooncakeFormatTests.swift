import PhasecastCore
import Testing

@testable import LogFormats

@Suite struct MooncakeFormatTests {
    static let start = micros("2024-06-01T00:00:00Z")

    @Test func cachedTokensComeFromSharedLeadingBlocks() throws {
        let options = ParseOptions(start: Self.start, cacheBlockTokens: 512, cacheCapacityBlocks: 100)
        // Written out of time order: the parser sorts before simulating the cache.
        let parsed = try parse(
            .mooncake,
            [
                #"{"timestamp": 2000, "input_length": 1100, "output_length": 5, "hash_ids": [1, 2, 9]}"#,
                #"{"timestamp": 0, "input_length": 1500, "output_length": 10, "hash_ids": [1, 2, 3]}"#,
                #"{"timestamp": 1000, "input_length": 1024, "output_length": 7, "hash_ids": [1, 2]}"#,
                #"{"timestamp": 3000, "input_length": 700, "output_length": 1, "hash_ids": [4, 2]}"#,
            ], options: options)
        #expect(parsed.rejects.isEmpty)
        let byTime = parsed.requests.sorted { $0.request.micros < $1.request.micros }
        #expect(byTime.map(\.request.micros) == [0, 1_000_000, 2_000_000, 3_000_000].map { Self.start + $0 })
        // t=0: cold. t=1s: blocks 1,2 cached but a prompt of exactly 2 blocks still computes one token.
        // t=2s: blocks 1,2 hit (1024), 9 misses. t=3s: block 4 misses first, so nothing is reused.
        #expect(byTime.map(\.request.cached) == [0, 1023, 1024, 0])
        #expect(byTime.map(\.request.line) == [2, 3, 1, 4])
    }

    /// A trace in no order, of conversations that grow turn by turn (so later turns hit the
    /// cache), as Mooncake lines.
    static func shuffledConversationLines(count: Int) -> [String] {
        var state: UInt64 = 12_345
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var turns = [Int](repeating: 0, count: 40)
        var lines: [String] = []
        for index in 0..<count {
            let conversation = next(turns.count)
            turns[conversation] += 1
            let blocks = (0..<(2 + 2 * turns[conversation])).map { conversation * 10_000 + $0 }
            let timestamp = index * 250 + next(200)
            lines.append(
                #"{"timestamp": \#(timestamp), "input_length": \#(blocks.count * 512 - next(400)), "output_length": \#(1 + next(900)), "hash_ids": \#(blocks)}"#
            )
        }
        for index in lines.indices.reversed() { lines.swapAt(index, next(index + 1)) }
        return lines
    }

    /// Beyond its sort memory the parser writes sorted runs to a temporary file and merges
    /// them: the same requests, cached tokens and order as sorted in memory (memory grew with
    /// the file, 444 MB at 2 M lines).
    @Test func aTraceOverItsSortMemorySpillsRunsAndGivesTheSameRequests() throws {
        let lines = Self.shuffledConversationLines(count: 3000)
        let inMemory = try parse(.mooncake, lines, options: ParseOptions(start: Self.start))
        var small = ParseOptions(start: Self.start)
        small.sortMemoryBytes = 16 << 10
        let spilled = try parse(.mooncake, lines, options: small)
        #expect(spilled.fileError == nil)
        #expect(spilled.requests.count == 3000)
        #expect(spilled.requests.map(\.request) == inMemory.requests.map(\.request))
        #expect(inMemory.requests.filter { $0.request.cached > 0 }.count > 1000)
        let times = spilled.requests.map(\.request.micros)
        #expect(times == times.sorted())

        // About 235 runs are written; tiers merge them, so at most a tier's fanIn runs and a few
        // of the tiers above are open at once.
        var trace = TimeOrderedTrace(memoryBudget: 4096)
        var state: UInt64 = 7
        var maxRuns = 0
        for line in 0..<12_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1
            try trace.add(
                micros: Int64(state >> 50), line: Int64(line), input: 1, output: 1, segmented: false, chain: [1, 2, 3])
            maxRuns = max(maxRuns, trace.spilledRuns)
        }
        #expect((TimeOrderedTrace.fanIn...TimeOrderedTrace.fanIn + 3).contains(maxRuns))
        var previous: (Int64, Int64) = (.min, .min)
        var released = 0
        while let record = try trace.next() {
            #expect((previous.0, previous.1) < (record.micros, record.line))
            #expect(record.chain == [1, 2, 3])
            previous = (record.micros, record.line)
            released += 1
        }
        #expect(released == 12_000)
    }

    @Test func theCacheEvictsLeastRecentlyUsedBlocks() throws {
        let options = ParseOptions(start: Self.start, cacheBlockTokens: 10, cacheCapacityBlocks: 2)
        let parsed = try parse(
            .mooncake,
            [
                #"{"timestamp": 0, "input_length": 25, "output_length": 1, "hash_ids": [1, 2]}"#,
                #"{"timestamp": 1, "input_length": 25, "output_length": 1, "hash_ids": [5, 6]}"#,
                #"{"timestamp": 2, "input_length": 25, "output_length": 1, "hash_ids": [1, 2]}"#,
            ], options: options)
        #expect(parsed.requests.map(\.request.cached) == [0, 0, 0])
    }

    @Test func ragPulseSegmentsAreEqualSharesAndTimestampsAreSeconds() throws {
        let options = ParseOptions(start: Self.start)
        let parsed = try parse(
            .mooncake,
            [
                #"{"timestamp": "82", "input_length": 1000, "output_length": 10, "hash_ids": {"sys_prompt": [8302, 14332], "passages_ids": [7398, 7370], "history": [], "web_search": [], "user_input": [1]}, "session_id": "a"}"#,
                #"{"timestamp": "93", "input_length": 2000, "output_length": 20, "hash_ids": {"sys_prompt": [8302, 14332], "passages_ids": [6124, 7392], "history": [], "web_search": [], "user_input": [2]}, "session_id": "b"}"#,
            ], options: options)
        #expect(parsed.requests.map(\.request.micros) == [Self.start + 82_000_000, Self.start + 93_000_000])
        // Second request: its two system-prompt segments (of five, 400 tokens each) are reused.
        #expect(parsed.requests.map(\.request.cached) == [0, 800])
    }

    @Test func needsAStartAndRejectsMalformedLines() throws {
        #expect(throws: FormatSetupError.self) { _ = try parse(.mooncake, ["{}"]) }
        let parsed = try parse(
            .mooncake,
            [
                #"{"timestamp": -5, "input_length": 10, "output_length": 1, "hash_ids": []}"#,
                #"{"timestamp": 5, "output_length": 1, "hash_ids": []}"#,
                #"{"timestamp": 5, "input_length": 10, "output_length": 1, "hash_ids": ["x"]}"#,
            ], options: ParseOptions(start: Self.start))
        #expect(parsed.requests.isEmpty)
        #expect(parsed.rejects.count == 3)
        #expect(parsed.rejects[2] == "no input_length")
    }
}
