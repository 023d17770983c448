import PhasecastCore
import Testing

@testable import LogFormats

@Suite struct AzureFormatTests {
    @Test func readsTheTraceWithItsHeader() throws {
        let parsed = try parse(
            .azure,
            [
                "TIMESTAMP,ContextTokens,GeneratedTokens", "2023-11-16 18:15:46.6805900,374,44",
                "2023-11-16 18:15:50.9951690,396,109",
            ], options: ParseOptions(defaultModel: "gpt-4"))
        #expect(parsed.rejects.isEmpty)
        #expect(parsed.requests.count == 2)
        let first = parsed.requests[0]
        #expect(first.request.micros == micros("2023-11-16T18:15:46.680590Z"))
        #expect(first.request.prompt == 374 && first.request.cached == 0 && first.request.output == 44)
        #expect(first.request.line == 2 && first.model == "gpt-4" && first.request.status == .ok)
    }

    @Test func readsTheMultimodalVariantAndHeaderlessFiles() throws {
        let multimodal = try parse(
            .azure, ["TIMESTAMP,NumImages,ContextTokens,GeneratedTokens", "2025-05-01 00:00:01.1234567,2,1500,80"])
        #expect(multimodal.requests.map(\.request.prompt) == [1500])
        #expect(multimodal.requests.map(\.request.output) == [80])
        let headerless = try parse(.azure, ["2024-05-10 00:00:00.0186690,1024,17"])
        #expect(headerless.requests.map(\.request.prompt) == [1024])
    }

    @Test func rejectsBadFieldsWithReasons() throws {
        let parsed = try parse(
            .azure,
            [
                "TIMESTAMP,ContextTokens,GeneratedTokens", "2023-11-16 18:15:46,-5,44", "2023-11-16 18:15:46,abc,44",
                "2023-11-16 18:15:46,99999999999999999999,1", "yesterday,1,2", "2023-11-16 18:15:46,5",
                "2023-11-16 18:15:46,5,6",
            ])
        #expect(parsed.requests.count == 1)
        #expect(parsed.rejects[2] == #"prompt tokens "-5" is negative"#)
        #expect(parsed.rejects[3] == #"prompt tokens "abc" is not a whole number"#)
        #expect(parsed.rejects[4]?.hasPrefix(#"prompt tokens "99999999999999999999" is too large"#) == true)
        #expect(parsed.rejects[5]?.hasPrefix(#"timestamp "yesterday" is not ISO 8601"#) == true)
        #expect(parsed.rejects[6] == "expected at least 3 fields, found 2")
    }

    @Test func aRepeatedHeaderIsIgnoredAndAWrongHeaderFailsTheFile() throws {
        let repeated = try parse(
            .azure,
            [
                "TIMESTAMP,ContextTokens,GeneratedTokens", "2023-11-16 18:15:46,1,2",
                "TIMESTAMP,ContextTokens,GeneratedTokens", "2023-11-16 18:15:47,3,4",
            ])
        #expect(repeated.requests.count == 2 && repeated.rejects.isEmpty)
        let wrong = try parse(.azure, ["time,prompt,output", "x,1,2"])
        #expect(wrong.fileError?.contains("no column TIMESTAMP, ContextTokens, GeneratedTokens") == true)
    }
}

@Suite struct BurstGPTFormatTests {
    static let start = micros("2023-05-01T00:00:00Z")

    @Test func needsAStart() {
        #expect(throws: FormatSetupError.needsStart(format: "burstgpt", unit: "seconds")) {
            _ = try parse(.burstgpt, ["Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type"])
        }
    }

    @Test func readsV1AndV2AndMarksFailures() throws {
        let options = ParseOptions(start: Self.start)
        let v1 = try parse(
            .burstgpt,
            [
                "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type",
                "5,ChatGPT,472,18,490,Conversation log", "45,GPT-4,1087,0,1087,API log",
            ], options: options)
        #expect(v1.requests.count == 2)
        #expect(v1.requests[0].request.micros == Self.start + 5_000_000)
        #expect(v1.requests[0].model == "ChatGPT" && v1.requests[1].model == "GPT-4")
        #expect(v1.requests[1].request.status == .failed && v1.requests[1].request.output == 0)
        let v2 = try parse(
            .burstgpt,
            [
                "Timestamp,Session ID,Elapsed time,Model,Request tokens,Response tokens,Total tokens,Log Type",
                "12.5,sess-1,3.2,ChatGPT,100,20,120,Conversation log",
            ], options: options)
        #expect(v2.requests.map(\.request.micros) == [Self.start + 12_500_000])
        #expect(v2.requests.map(\.request.prompt) == [100])
    }
}

@Suite struct MappedCSVFormatTests {
    @Test func readsAnyCSVThroughTheMap() throws {
        var options = ParseOptions()
        options.columnMap = try ColumnMap(parsing: "ts=when,prompt=in,output=out,cached=hit,model=engine")
        options.timestampUnit = .milliseconds
        let parsed = try parse(
            .csv,
            [
                "engine,when,in,out,hit", #""llama, 70b",1700158546000,900,100,300"#, "small,1700158547000,10,1,",
            ], options: options)
        #expect(parsed.rejects.isEmpty)
        #expect(parsed.requests.map(\.model) == ["llama, 70b", "small"])
        #expect(parsed.requests.map(\.request.cached) == [300, 0])
        #expect(parsed.requests[0].request.micros == 1_700_158_546_000_000)
    }

    @Test func columnsMayBeNumbersAndCachedMustNotExceedPrompt() throws {
        var options = ParseOptions()
        options.columnMap = try ColumnMap(parsing: "ts=1,prompt=2,output=3,cached=4")
        let parsed = try parse(
            .csv, ["a,b,c,d", "2025-01-01T00:00:00Z,10,1,11", "2025-01-01T00:00:01Z,10,1,10"], options: options)
        #expect(parsed.rejects[2] == "cached tokens (11) exceed prompt tokens (10)")
        #expect(parsed.requests.count == 1)
    }

    @Test func timestampsInTheWrongUnitAreRejectedWithAHint() throws {
        var options = ParseOptions()
        options.columnMap = try ColumnMap(parsing: "ts=t,prompt=p,output=o")
        options.timestampUnit = .seconds
        let parsed = try parse(.csv, ["t,p,o", "1700158546000,1,1"], options: options)
        #expect(parsed.rejects[2]?.hasSuffix("it looks like milliseconds") == true)
    }

    @Test func theMapIsChecked() {
        #expect(throws: FormatSetupError.badMap("missing output (ts, prompt and output are required)")) {
            _ = try ColumnMap(parsing: "ts=a,prompt=b")
        }
        #expect(
            throws: FormatSetupError.badMap(
                "unknown key 'tokens' (expected one of ts, prompt, output, cached, model, status)")
        ) {
            _ = try ColumnMap(parsing: "ts=a,prompt=b,output=c,tokens=d")
        }
        #expect(throws: FormatSetupError.needsMap) { _ = try parse(.csv, ["a,b"]) }
    }
}

@Suite struct LiteLLMFormatTests {
    @Test func readsCSVExportsWithStatusAndCachedTokensFromMetadata() throws {
        let lines = [
            "request_id,call_type,spend,total_tokens,prompt_tokens,completion_tokens,startTime,model,status,metadata",
            #"r1,acompletion,0.004,2498,2311,187,2025-11-03T14:05:27.512Z,gpt-4o-mini,success,"{""usage_object"": {""prompt_tokens_details"": {""cached_tokens"": 1792}}}""#,
            "r2,acompletion,0,0,120,0,2025-11-03 14:05:28.000000,gpt-4o-mini,failure,{}",
        ]
        let parsed = try parse(.litellm, lines)
        #expect(parsed.rejects.isEmpty)
        #expect(parsed.requests.map(\.request.cached) == [1792, 0])
        #expect(parsed.requests.map(\.request.status) == [.ok, .failed])
        #expect(parsed.requests[0].request.micros == micros("2025-11-03T14:05:27.512Z"))
    }

    @Test func readsJSONLines() throws {
        let parsed = try parse(
            .litellm,
            [
                #"{"request_id":"chatcmpl-9b2f","call_type":"acompletion","spend":0.004215,"total_tokens":2498,"prompt_tokens":2311,"completion_tokens":187,"startTime":"2025-11-03T14:05:27.512Z","model":"gpt-4o-mini","status":"success","cache_read_input_tokens":1024,"metadata":{"user_api_key_team_id":"t-42"}}"#
            ])
        #expect(parsed.rejects.isEmpty)
        #expect(parsed.requests.first?.request.cached == 1024)
        #expect(parsed.requests.first?.model == "gpt-4o-mini")
    }
}
