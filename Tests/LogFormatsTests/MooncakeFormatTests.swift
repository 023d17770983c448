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
