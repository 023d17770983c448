import PhasecastCore
import Testing

@testable import LogFormats

@Suite struct OpenAIFormatTests {
    @Test func readsChatCompletionsResponsesAndBatchOutput() throws {
        let parsed = try parse(
            .openai,
            [
                #"{"id":"chatcmpl-1","object":"chat.completion","created":1762178727,"model":"gpt-4o-mini-2024-07-18","usage":{"prompt_tokens":2311,"completion_tokens":187,"total_tokens":2498,"prompt_tokens_details":{"cached_tokens":1792,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}"#,
                #"{"id":"resp_1","object":"response","created_at":1762178728,"model":"gpt-4.1","status":"completed","usage":{"input_tokens":500,"input_tokens_details":{"cached_tokens":100},"output_tokens":50,"output_tokens_details":{"reasoning_tokens":10},"total_tokens":550}}"#,
                #"{"id":"batch_req_7Xk2","custom_id":"req-000417","response":{"status_code":200,"request_id":"req_c0ffee12","body":{"id":"chatcmpl-BX91","object":"chat.completion","created":1762178729,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"…"},"finish_reason":"stop"}],"usage":{"prompt_tokens":40,"completion_tokens":4,"total_tokens":44}}},"error":null}"#,
                #"{"id":"batch_req_8","custom_id":"req-000418","response":null,"error":{"code":"rate_limit","message":"too many"}}"#,
            ])
        #expect(parsed.rejects.isEmpty)
        #expect(parsed.skipped == 1)
        #expect(parsed.requests.map(\.request.prompt) == [2311, 500, 40])
        #expect(parsed.requests.map(\.request.cached) == [1792, 100, 0])
        #expect(parsed.requests.map(\.request.output) == [187, 50, 4])
        #expect(parsed.requests.map(\.model) == ["gpt-4o-mini-2024-07-18", "gpt-4.1", "gpt-4o-mini"])
        #expect(
            parsed.requests.map(\.request.micros) == [
                1_762_178_727_000_000, 1_762_178_728_000_000, 1_762_178_729_000_000,
            ])
    }

    @Test func rejectsLinesWithoutUsageOrWithBadCounts() throws {
        let parsed = try parse(
            .openai,
            [
                #"{"created":1762178727,"model":"m"}"#,
                #"{"created":1762178727,"model":"m","usage":{"prompt_tokens":-1,"completion_tokens":2}}"#,
                #"{"created":1762178727000,"model":"m","usage":{"prompt_tokens":1,"completion_tokens":2}}"#,
                #"{"created":1762178727,"model":"m","usage":{"prompt_tokens":5,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":9}}}"#,
                #"{"created":1762178727,"model":"m","usage":{"prompt_tokens":5,"completion_tokens":2"#,
            ])
        #expect(parsed.requests.isEmpty)
        #expect(parsed.rejects[1] == "no usage.prompt_tokens or usage.input_tokens")
        #expect(parsed.rejects[2] == #"prompt tokens "-1" is negative"#)
        #expect(parsed.rejects[3]?.hasSuffix("it looks like milliseconds") == true)
        #expect(parsed.rejects[4] == "cached tokens (9) exceed prompt tokens (5)")
        #expect(parsed.rejects[5]?.hasPrefix("malformed JSON") == true)
    }
}

@Suite struct AnthropicFormatTests {
    @Test func promptTokensAddCacheReadsAndWrites() throws {
        let parsed = try parse(
            .anthropic,
            [
                #"{"timestamp":"2025-11-03T14:05:31Z","model":"claude-sonnet-4-5","usage":{"input_tokens":519,"cache_creation_input_tokens":100,"cache_read_input_tokens":1792,"output_tokens":187}}"#,
                #"{"timestamp":1762178731,"custom_id":"r","result":{"type":"succeeded","message":{"model":"claude-haiku-4-5","type":"message","usage":{"input_tokens":10,"output_tokens":5}}}}"#,
                #"{"timestamp":"2025-11-03T14:05:32Z","custom_id":"r2","result":{"type":"errored","error":{"type":"overloaded_error"}}}"#,
            ])
        #expect(parsed.rejects.isEmpty)
        #expect(parsed.skipped == 1)
        #expect(parsed.requests.map(\.request.prompt) == [519 + 100 + 1792, 10])
        #expect(parsed.requests.map(\.request.cached) == [1792, 0])
        #expect(parsed.requests.map(\.model) == ["claude-sonnet-4-5", "claude-haiku-4-5"])
        #expect(parsed.requests[1].request.micros == 1_762_178_731_000_000)
    }

    @Test func aLineWithoutTimestampIsRejected() throws {
        let parsed = try parse(.anthropic, [#"{"model":"m","usage":{"input_tokens":1,"output_tokens":1}}"#])
        #expect(parsed.rejects[1] == "no timestamp field (timestamp, created_at, time or ts)")
    }
}

@Suite struct BedrockFormatTests {
    @Test func readsInvocationLogs() throws {
        let parsed = try parse(
            .bedrock,
            [
                #"{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2025-11-03T14:05:31Z","accountId":"111122223333","region":"us-east-1","requestId":"3f6b","operation":"Converse","modelId":"anthropic.claude-3-5-haiku-20241022-v1:0","input":{"inputContentType":"application/json","inputTokenCount":2311,"cacheReadInputTokenCount":1792,"cacheWriteInputTokenCount":0},"output":{"outputContentType":"application/json","outputTokenCount":187}}"#,
                #"{"schemaType":"ModelInvocationLog","timestamp":"2025-11-03T14:05:32Z","modelId":"meta.llama3-70b","input":{"inputTokenCount":50},"output":{"outputTokenCount":5}}"#,
            ])
        #expect(parsed.rejects.isEmpty)
        #expect(parsed.requests.map(\.request.prompt) == [2311 + 1792, 50])
        #expect(parsed.requests.map(\.request.cached) == [1792, 0])
        #expect(parsed.requests.map(\.model) == ["anthropic.claude-3-5-haiku-20241022-v1:0", "meta.llama3-70b"])
    }
}

@Suite struct FormatDetectorTests {
    @Test(arguments: [
        ("TIMESTAMP,ContextTokens,GeneratedTokens", LogFormat.azure),
        ("TIMESTAMP,NumImages,ContextTokens,GeneratedTokens", .azure),
        ("\u{FEFF}TIMESTAMP,ContextTokens,GeneratedTokens", .azure),
        ("2023-11-16 18:15:46.6805900,374,44", .azure),
        ("Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type", .burstgpt),
        ("request_id,startTime,model,prompt_tokens,completion_tokens", .litellm),
        (#"{"timestamp": 0, "input_length": 6758, "output_length": 500, "hash_ids": [0, 1]}"#, .mooncake),
        (
            #"{"timestamp": "82", "input_length": 3112, "output_length": 192, "hash_ids": {"sys_prompt": [1]}, "session_id": "s"}"#,
            .mooncake
        ),
        (#"{"created":1,"model":"m","usage":{"prompt_tokens":1,"completion_tokens":1}}"#, .openai),
        (
            #"{"created_at":1,"model":"m","usage":{"input_tokens":1,"input_tokens_details":{"cached_tokens":0},"output_tokens":1}}"#,
            .openai
        ),
        (#"{"id":"b","custom_id":"c","response":{"status_code":200,"body":{}}}"#, .openai),
        (
            #"{"timestamp":"2025-11-03T14:05:31Z","model":"claude","usage":{"input_tokens":1,"output_tokens":1}}"#,
            .anthropic
        ),
        (#"{"timestamp":"t","usage":{"input_tokens":1,"cache_read_input_tokens":0,"output_tokens":1}}"#, .anthropic),
        (#"{"schemaType":"ModelInvocationLog","modelId":"m","input":{"inputTokenCount":1}}"#, .bedrock),
        (#"{"startTime":"2025-11-03T14:05:27Z","model":"m","prompt_tokens":1,"completion_tokens":1}"#, .litellm),
    ])
    func detectsFormats(line: String, expected: LogFormat) {
        #expect(withBytes(line) { FormatDetector.detect(line: $0) } == expected)
    }

    @Test(arguments: ["hello world", #"{"message":"started"}"#, "a,b,c", "   "])
    func saysNothingForOtherLines(line: String) {
        #expect(withBytes(line) { FormatDetector.detect(line: $0) } == nil)
    }
}
