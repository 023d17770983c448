import PhasecastCore
import Testing

@testable import LogFormats

/// Records as real stacks write them, including the ones that are not requests. Expected
/// counts are computed in each test from the values written into its records.
@Suite struct DetectionTests {
    private func classify(_ line: String) -> FormatDetector.Detection {
        withBytes(line) { FormatDetector.classify(line: $0) }
    }

    @Test func aResponsesRecordWhoseOutputHoldsAMessageIsOpenAI() throws {
        // Its output array holds {"type":"message"}: a key at depth must not make it Anthropic.
        let line =
            #"{"id":"resp_1","object":"response","created_at":1762178728,"status":"completed","model":"gpt-4.1","output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"hi"}]}],"usage":{"input_tokens":700,"input_tokens_details":{"cached_tokens":200},"output_tokens":175,"output_tokens_details":{"reasoning_tokens":0}}}"#
        #expect(classify(line) == .format(.openai))
        let parsed = try parse(.openai, [line])
        #expect(parsed.requests.map(\.request.cached) == [200])
        // The day's prefill:decode ratio is (700 − 200) / 175, not 700 / 175.
        let request = try #require(parsed.requests.first?.request)
        #expect(Double(request.prefill) / Double(request.output) == 500.0 / 175.0)
    }

    @Test func aForcedReadingThatLosesCachedTokensIsWarnedAbout() throws {
        let line =
            #"{"id":"resp_1","object":"response","created_at":1762178728,"timestamp":"2025-11-03T14:05:31Z","usage":{"input_tokens":700,"input_tokens_details":{"cached_tokens":200},"output_tokens":175}}"#
        var parser = JSONRequestParser(flavor: .anthropic, options: ParseOptions())
        let parsed = parse(&parser, [line, line])
        #expect(parsed.requests.map(\.request.cached) == [0, 0])
        #expect(parser.fileWarnings(rows: 2).first?.contains("2 lines carry a non-zero cached_tokens") == true)
        var right = JSONRequestParser(flavor: .openAI, options: ParseOptions())
        _ = parse(&right, [line])
        #expect(right.fileWarnings(rows: 1).isEmpty)
    }

    @Test func aLineThatFitsTwoFormatsIsRefusedWithBoth() {
        let line =
            #"{"custom_id":"c","response":{"status_code":200},"result":{"type":"succeeded","message":{"usage":{"input_tokens":1,"output_tokens":1}}}}"#
        guard case .ambiguous(let formats) = classify(line) else {
            Issue.record("expected an ambiguous detection")
            return
        }
        #expect(Set(formats) == [.openai, .anthropic])
        let message = FormatSetupError.ambiguous(formats: formats.map(\.rawValue), firstLine: "…").description
        #expect(message.contains("--format openai") && message.contains("--format anthropic"))
    }

    @Test(arguments: [
        (
            #"{"schema":"dynamo.request.trace.v1","event_type":"request_end","request":{"request_id":"r","model":"m","input_tokens":1,"output_tokens":1,"cached_tokens":0,"request_received_ms":1762178727000}}"#,
            LogFormat.dynamo
        ),
        (
            #"[2025-11-03 14:05:31 TP0] Finish: obj=GenerateReqInput(rid='a'), out={'meta_info': {'id': 'a', 'prompt_tokens': 2311, 'completion_tokens': 187, 'cached_tokens': 2048}}"#,
            .sglang
        ),
        (
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"chat","startTimeUnixNano":"1762178727000000000","attributes":[{"key":"gen_ai.usage.input_tokens","value":{"intValue":"5"}}]}]}]}]}"#,
            .otel
        ),
        (
            #"{"name":"chat m","context":{"span_id":"0x1"},"start_time":"2025-11-03T14:05:27Z","attributes":{"gen_ai.usage.input_tokens":5,"gen_ai.usage.output_tokens":2}}"#,
            .otel
        ),
        (
            #"{"candidates":[],"usageMetadata":{"promptTokenCount":2311,"candidatesTokenCount":187},"modelVersion":"gemini-2.5-flash","createTime":"2025-11-03T14:05:27.512Z"}"#,
            .gemini
        ),
        (
            #"{"id":"o1","traceId":"t","type":"GENERATION","startTime":"2025-11-03T14:05:27Z","model":"gpt-4o","usageDetails":{"input":10,"output":2}}"#,
            .langfuse
        ),
        (
            #"{"object":"bucket","start_time":1730419200,"end_time":1730505600,"results":[{"object":"organization.usage.completions.result","input_tokens":1,"output_tokens":1,"num_model_requests":1}]}"#,
            .openaiUsage
        ),
        (
            #"{"@timestamp":"2025-11-03 14:05:31.000","@message":"{\"schemaType\":\"ModelInvocationLog\"}"}"#,
            .cloudwatch
        ),
        (
            #"{"type":"assistant","sessionId":"s","uuid":"u","timestamp":"2025-11-03T14:05:31Z","message":{"id":"msg_1","model":"claude","usage":{"input_tokens":1,"output_tokens":1}}}"#,
            .anthropic
        ),
        (
            #"{"custom_id":"r","result":{"type":"succeeded","message":{"usage":{"input_tokens":1,"output_tokens":1}}}}"#,
            .anthropic
        ),
        (
            #"{"id":"msg_1","type":"message","role":"assistant","model":"claude","usage":{"input_tokens":1,"output_tokens":1}}"#,
            .anthropic
        ),
        (#"{"id":"resp_q","object":"response","created_at":1762178728,"status":"queued","usage":null}"#, .openai),
    ])
    func detectsTheFormatsRealStacksWrite(line: String, expected: LogFormat) {
        #expect(classify(line) == .format(expected))
    }
}

@Suite struct NotRequestsTests {
    @Test func queuedAndCancelledResponsesAreSkippedByKind() throws {
        let parsed = try parse(
            .openai,
            [
                #"{"id":"r1","object":"response","created_at":1762178728,"status":"queued","usage":null}"#,
                #"{"id":"r2","object":"response","created_at":1762178728,"status":"in_progress","usage":null}"#,
                #"{"id":"r3","object":"response","created_at":1762178728,"status":"cancelled","usage":null}"#,
                #"{"id":"r4","object":"response","created_at":1762178729,"status":"completed","usage":{"input_tokens":9,"output_tokens":3}}"#,
            ])
        #expect(parsed.rejects.isEmpty)
        #expect(parsed.skippedByKind == [.unfinished: 2, .cancelled: 1])
        #expect(parsed.requests.map(\.request.prompt) == [9])
    }

    @Test func guardrailBlocksAreSkippedAndARNsBecomeModelIDs() throws {
        let parsed = try parse(
            .bedrock,
            [
                #"{"schemaType":"ModelInvocationLog","timestamp":"2025-11-03T14:05:31Z","modelId":"arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0","input":{"inputTokenCount":30},"output":{"outputTokenCount":7}}"#,
                #"{"schemaType":"ModelInvocationLog","timestamp":"2025-11-03T14:05:32Z","modelId":"anthropic.claude-3-5-haiku-20241022-v1:0","input":{"inputContentType":"application/json"},"output":{"outputBodyJson":{"amazon-bedrock-guardrailAction":"INTERVENED"}}}"#,
                #"{"schemaType":"ModelInvocationLog","timestamp":"2025-11-03T14:05:33Z","modelId":"arn:aws:bedrock:us-west-2::foundation-model/meta.llama3-70b-instruct-v1:0","input":{"inputTokenCount":4},"output":{"outputTokenCount":2}}"#,
            ])
        #expect(parsed.rejects.isEmpty)
        #expect(parsed.skippedByKind == [.guardrailBlocked: 1])
        #expect(
            parsed.requests.map(\.model) == [
                "anthropic.claude-3-5-haiku-20241022-v1:0", "meta.llama3-70b-instruct-v1:0",
            ])
        #expect(!parsed.requests.contains { $0.model.contains("111122223333") })
    }

    @Test func claudeCodeTranscriptsCountEachMessageOnce() throws {
        // One message logged on two lines (one per content block), user and tool lines between.
        let usage = (input: 12, cacheRead: 30_000, cacheWrite: 500, output: 420)
        let assistant = { (id: String, output: Int) in
            #"{"type":"assistant","sessionId":"s","uuid":"u","timestamp":"2025-11-03T14:05:31Z","message":{"id":"\#(id)","model":"claude-sonnet-4-5","role":"assistant","usage":{"input_tokens":\#(usage.input),"cache_creation_input_tokens":\#(usage.cacheWrite),"cache_read_input_tokens":\#(usage.cacheRead),"output_tokens":\#(output)}}}"#
        }
        let lines = [
            #"{"type":"summary","summary":"refactor","leafUuid":"l"}"#,
            #"{"type":"user","sessionId":"s","uuid":"u0","timestamp":"2025-11-03T14:05:30Z","message":{"role":"user","content":"fix it"}}"#,
            assistant("msg_A", 1),
            assistant("msg_A", usage.output),
            #"{"type":"user","sessionId":"s","uuid":"u2","timestamp":"2025-11-03T14:05:32Z","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"ok"}]}}"#,
            assistant("msg_B", 9),
        ]
        let parsed = try parse(.anthropic, lines)
        #expect(parsed.rejects.isEmpty)
        #expect(parsed.skippedByKind == [.notARequest: 3, .duplicate: 1])
        #expect(parsed.requests.count == 2)
        let prompt = Int64(usage.input + usage.cacheRead + usage.cacheWrite)
        #expect(parsed.requests.map(\.request.prompt) == [prompt, prompt])
        #expect(parsed.requests.map(\.request.cached) == [Int64(usage.cacheRead), Int64(usage.cacheRead)])
        // The merged message keeps its final count, not one per line.
        #expect(parsed.requests.map(\.request.output) == [Int64(usage.output), 9])
    }

    @Test func batchResultsAndBodiesAreDatedByStart() throws {
        let start = micros("2025-11-03T00:00:00Z")
        let batch = [
            #"{"custom_id":"a","result":{"type":"succeeded","message":{"id":"m1","type":"message","model":"claude-haiku-4-5","usage":{"input_tokens":519,"cache_read_input_tokens":1792,"cache_creation_input_tokens":0,"output_tokens":187}}}}"#,
            #"{"custom_id":"b","result":{"type":"errored","error":{"type":"error","error":{"type":"overloaded_error"}}}}"#,
            #"{"custom_id":"c","result":{"type":"canceled"}}"#,
            #"{"custom_id":"d","result":{"type":"expired"}}"#,
        ]
        let parsed = try parse(.anthropic, batch, options: ParseOptions(start: start))
        #expect(parsed.rejects.isEmpty)
        #expect(parsed.skippedByKind == [.failed: 1, .cancelled: 2])
        let expectedPrompts: [Int64] = [519 + 1792]
        #expect(parsed.requests.map(\.request.prompt) == expectedPrompts)
        #expect(parsed.requests.map(\.request.micros) == [start])
        let undated = try parse(.anthropic, [batch[0]])
        #expect(undated.rejects[1]?.contains("--start") == true)

        let body =
            #"{"id":"msg_9","type":"message","role":"assistant","model":"claude-opus-4","content":[],"usage":{"input_tokens":40,"output_tokens":8}}"#
        let bodies = try parse(.anthropic, [body], options: ParseOptions(start: start))
        #expect(bodies.requests.map(\.request.prompt) == [40])
        #expect(bodies.requests.map(\.model) == ["claude-opus-4"])
    }
}

@Suite struct NativeFormatTests {
    @Test func dynamoTracesCountRequestEndEventsOnly() throws {
        var state: UInt64 = 3
        func next(below bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var lines: [String] = []
        var expected = (prompt: Int64(0), cached: Int64(0), output: Int64(0), requests: 0)
        for index in 0..<40 {
            let input = Int64(next(below: 8000) + 100)
            let cached = Int64(next(below: Int(input)))
            let output = Int64(next(below: 900) + 1)
            let ms = 1_762_178_727_000 + Int64(index) * 1500
            lines.append(
                #"{"schema":"dynamo.request.trace.v1","event_type":"request_start","request":{"request_id":"r\#(index)","model":"qwen/qwen3-32b","request_received_ms":\#(ms)}}"#
            )
            lines.append(
                #"{"schema":"dynamo.request.trace.v1","event_type":"request_end","request":{"request_id":"r\#(index)","model":"qwen/qwen3-32b","input_tokens":\#(input),"output_tokens":\#(output),"cached_tokens":\#(cached),"request_received_ms":\#(ms)}}"#
            )
            expected.prompt += input
            expected.cached += cached
            expected.output += output
            expected.requests += 1
        }
        let parsed = try parse(.dynamo, lines)
        #expect(parsed.rejects.isEmpty)
        #expect(parsed.skippedByKind == [.notARequest: 40])
        #expect(parsed.requests.count == expected.requests)
        #expect(parsed.totals == TokenCounts(prompt: expected.prompt, cached: expected.cached, output: expected.output))
        #expect(parsed.requests.first?.request.micros == 1_762_178_727_000_000)
        #expect(Set(parsed.requests.map(\.model)) == ["qwen/qwen3-32b"])
    }

    @Test func sglangFinishLinesAreRequestsAndOtherLinesAreNot() throws {
        let lines = [
            "[2025-11-03 14:05:27 TP0] Prefill batch. #new-seq: 3, #new-token: 8190, #cached-token: 2048, token usage: 0.41, #running-req: 17, #queue-req: 2,",
            "[2025-11-03 14:05:30] Receive: obj=GenerateReqInput(rid='a41c9e07', stream=True)",
            "[2025-11-03 14:05:31] Finish: obj=GenerateReqInput(rid='a41c9e07', sampling_params={'temperature': 0.7}, stream=True), out={'meta_info': {'id': 'a41c9e07', 'finish_reason': {'type': 'stop', 'matched': 128009}, 'prompt_tokens': 2311, 'completion_tokens': 187, 'cached_tokens': 2048, 'e2e_latency': 3.912}}",
            "[2025-11-03 14:05:32 TP0] Finish: obj=GenerateReqInput(rid='b'), out={'meta_info': {'id': 'b', 'finish_reason': {'type': 'abort', 'message': 'client gone'}, 'prompt_tokens': 100, 'completion_tokens': 3, 'cached_tokens': 0}}",
            #"{"timestamp":"2025-11-03T14:05:33Z","rid":"c","meta_info":{"id":"c","prompt_tokens":50,"completion_tokens":5,"cached_tokens":10}}"#,
        ]
        let parsed = try parse(.sglang, lines, options: ParseOptions(defaultModel: "llama-3.1-8b"))
        #expect(parsed.rejects.isEmpty)
        #expect(parsed.skippedByKind == [.notARequest: 2])
        #expect(parsed.requests.map(\.request.prompt) == [2311, 100, 50])
        #expect(parsed.requests.map(\.request.cached) == [2048, 0, 10])
        #expect(parsed.requests.map(\.request.output) == [187, 3, 5])
        #expect(parsed.requests.map(\.request.status) == [.ok, .failed, .ok])
        #expect(parsed.requests.first?.request.micros == micros("2025-11-03T14:05:31Z"))
        #expect(parsed.requests.first?.model == "llama-3.1-8b")
    }

    @Test func otlpExportsYieldEverySpanWithUsage() throws {
        let span = { (id: String, input: Int, output: Int, cached: Int) in
            #"{"traceId":"t","spanId":"\#(id)","name":"chat gpt-4o","startTimeUnixNano":"1762178727500000000","endTimeUnixNano":"1762178729000000000","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.response.model","value":{"stringValue":"gpt-4o-2024-08-06"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"\#(input)"}},{"key":"gen_ai.usage.output_tokens","value":{"intValue":"\#(output)"}},{"key":"gen_ai.usage.cache_read.input_tokens","value":{"intValue":"\#(cached)"}}],"status":{}}"#
        }
        let http =
            #"{"traceId":"t","spanId":"h","name":"GET /","startTimeUnixNano":"1762178727000000000","attributes":[{"key":"http.method","value":{"stringValue":"GET"}}]}"#
        let export =
            #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},"scopeSpans":[{"scope":{"name":"openai"},"spans":[\#(span("a", 300, 20, 100)),\#(http),\#(span("b", 50, 5, 0))]}]},{"scopeSpans":[{"spans":[\#(span("c", 7, 1, 0))]}]}]}"#
        let onlyHTTP = #"{"resourceSpans":[{"scopeSpans":[{"spans":[\#(http)]}]}]}"#
        let parsed = try parse(.otel, [export, onlyHTTP])
        #expect(parsed.rejects.isEmpty)
        #expect(parsed.skippedByKind == [.notARequest: 1])
        #expect(parsed.requests.map(\.request.prompt) == [300, 50, 7])
        #expect(parsed.requests.map(\.request.cached) == [100, 0, 0])
        #expect(parsed.requests.map(\.request.output) == [20, 5, 1])
        #expect(parsed.requests.first?.request.micros == 1_762_178_727_500_000)
        #expect(parsed.requests.first?.model == "gpt-4o-2024-08-06")
    }

    @Test func flattenedSpansReadTheSameAttributes() throws {
        let parsed = try parse(
            .otel,
            [
                #"{"name":"chat llama","context":{"trace_id":"0x1","span_id":"0x2"},"start_time":"2025-11-03T14:05:27.000000Z","attributes":{"gen_ai.request.model":"llama-3.1-70b","gen_ai.usage.input_tokens":800,"gen_ai.usage.output_tokens":60,"gen_ai.usage.cache_read.input_tokens":512}}"#,
                #"{"name":"db query","context":{"trace_id":"0x1","span_id":"0x3"},"start_time":"2025-11-03T14:05:27.000000Z","attributes":{"db.system":"postgresql"}}"#,
            ])
        #expect(parsed.rejects.isEmpty)
        #expect(parsed.skippedByKind == [.notARequest: 1])
        #expect(parsed.totals == TokenCounts(prompt: 800, cached: 512, output: 60))
        #expect(parsed.requests.first?.model == "llama-3.1-70b")
    }

    @Test func geminiCountsThoughtsAsOutputAndToolUseAsPrompt() throws {
        var parsed = try parse(
            .gemini,
            [
                #"{"candidates":[{"content":{"role":"model","parts":[{"text":"…"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":2311,"candidatesTokenCount":187,"thoughtsTokenCount":402,"cachedContentTokenCount":1792,"toolUsePromptTokenCount":40,"totalTokenCount":2940},"modelVersion":"gemini-2.5-flash","createTime":"2025-11-03T14:05:27.512Z","responseId":"k3"}"#,
                #"{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":8,"totalTokenCount":8},"modelVersion":"gemini-2.5-flash","createTime":"2025-11-03T14:05:28Z","responseId":"k4"}"#,
                #"{"request":{"contents":[]},"status":"","processed_time":"2025-11-03T14:06:00.000+00:00","response":{"usageMetadata":{"promptTokenCount":100,"candidatesTokenCount":10},"modelVersion":"gemini-2.0-flash-001"}}"#,
            ])
        // Lines with a response id are held until the next id shows they are not repeated.
        parsed.requests.sort { $0.request.line < $1.request.line }
        #expect(parsed.rejects.isEmpty)
        let expectedPrompts: [Int64] = [2311 + 40, 8, 100]
        #expect(parsed.requests.map(\.request.prompt) == expectedPrompts)
        #expect(parsed.requests.map(\.request.cached) == [1792, 0, 0])
        let expectedOutputs: [Int64] = [187 + 402, 0, 10]
        #expect(parsed.requests.map(\.request.output) == expectedOutputs)
        #expect(parsed.requests.map(\.model) == ["gemini-2.5-flash", "gemini-2.5-flash", "gemini-2.0-flash-001"])
    }

    @Test func langfuseGenerationsAddCacheReadsToTheirInput() throws {
        let parsed = try parse(
            .langfuse,
            [
                #"{"id":"o1","traceId":"t","type":"GENERATION","name":"chat","startTime":"2025-11-03T14:05:27.000Z","model":"claude-3-5-sonnet","usageDetails":{"input":120,"output":45,"cache_read_input_tokens":2000,"cache_creation_input_tokens":300,"total":2465}}"#,
                #"{"id":"o2","traceId":"t","type":"SPAN","name":"retrieve","startTime":"2025-11-03T14:05:26.000Z"}"#,
                #"{"id":"o3","traceId":"t","type":"GENERATION","name":"chat","startTime":"2025-11-03T14:05:29.000Z","model":"gpt-4o","usageDetails":{"input":70,"input_cached_tokens":30,"output":9}}"#,
            ])
        #expect(parsed.rejects.isEmpty)
        #expect(parsed.skippedByKind == [.notARequest: 1])
        let expectedPrompts: [Int64] = [120 + 2000 + 300, 70 + 30]
        #expect(parsed.requests.map(\.request.prompt) == expectedPrompts)
        #expect(parsed.requests.map(\.request.cached) == [2000, 30])
        #expect(parsed.requests.map(\.request.output) == [45, 9])
    }

    @Test func usageBucketsSpreadEvenlyWithExactTotals() throws {
        let day = 1_730_419_200  // 2024-11-01T00:00:00Z
        let results = [
            (
                model: "gpt-4o-mini-2024-07-18", requests: 100_003, input: 912_345_677, cached: 300_000_001,
                output: 45_678_901
            ),
            (model: "gpt-4.1-2025-04-14", requests: 7, input: 7_000, cached: 0, output: 1_403),
        ]
        let objects = results.map {
            #"{"object":"organization.usage.completions.result","input_tokens":\#($0.input),"output_tokens":\#($0.output),"num_model_requests":\#($0.requests),"project_id":null,"model":"\#($0.model)","input_cached_tokens":\#($0.cached),"input_audio_tokens":0,"output_audio_tokens":0,"batch":null}"#
        }
        let bucket =
            #"{"object":"bucket","start_time":\#(day),"end_time":\#(day + 86_400),"results":[\#(objects.joined(separator: ","))]}"#
        let page =
            #"{"object":"page","data":[{"object":"bucket","start_time":\#(day + 86_400),"end_time":\#(day + 90_000),"results":[\#(objects[1])]}],"has_more":false,"next_page":null}"#
        let parsed = try parse(.openaiUsage, [bucket, page])
        #expect(parsed.rejects.isEmpty)
        #expect(parsed.requests.count == results[0].requests + 2 * results[1].requests)
        for (index, result) in results.enumerated() {
            let mine = parsed.requests.filter { $0.model == result.model }
            let copies = index == 0 ? 1 : 2
            #expect(mine.reduce(0) { $0 + $1.request.prompt } == Int64(result.input * copies))
            #expect(mine.reduce(0) { $0 + $1.request.cached } == Int64(result.cached * copies))
            #expect(mine.reduce(0) { $0 + $1.request.output } == Int64(result.output * copies))
        }
        let minutes = Set(
            parsed.requests.filter { $0.model == results[0].model }.map { $0.request.micros / 60_000_000 })
        #expect(minutes.count == 1440)
        #expect(parsed.requests.allSatisfy { $0.request.cached <= $0.request.prompt })
    }

    @Test func cloudwatchExportsReadTheBedrockRecordInside() throws {
        let record =
            #"{"schemaType":"ModelInvocationLog","timestamp":"2025-11-03T14:05:31Z","modelId":"anthropic.claude-3-5-haiku-20241022-v1:0","input":{"inputTokenCount":2311,"cacheReadInputTokenCount":1792},"output":{"outputTokenCount":187}}"#
        let escaped = record.replacingOccurrences(of: "\"", with: "\\\"")
        let parsed = try parse(
            .cloudwatch,
            [
                #"{"@timestamp":"2025-11-03 14:05:31.000","@message":"\#(escaped)","@logStream":"aws/bedrock/modelinvocations"}"#,
                #"{"@timestamp":"2025-11-03 14:05:32.000","@message":\#(record)}"#,
            ])
        #expect(parsed.rejects.isEmpty)
        let expectedPrompts: [Int64] = [2311 + 1792, 2311 + 1792]
        #expect(parsed.requests.map(\.request.prompt) == expectedPrompts)
        #expect(parsed.requests.map(\.request.cached) == [1792, 1792])
        #expect(parsed.requests.map(\.model) == Array(repeating: "anthropic.claude-3-5-haiku-20241022-v1:0", count: 2))
        // The CSV download of the same query: @message quoted, its quotes doubled.
        let quoted = "\"" + record.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        let table = ["@timestamp,@message", "2025-11-03 14:05:31.000,\(quoted)", "2025-11-03 14:05:32.000,"]
        #expect(withBytes(table[0]) { FormatDetector.classify(line: $0) } == .format(.cloudwatch))
        let rows = try parse(.cloudwatch, table)
        #expect(rows.rejects.isEmpty)
        #expect(rows.requests.map(\.request.output) == [187])
        #expect(rows.skippedByKind == [.notARequest: 1])
    }
}

@Suite struct JSONMappingTests {
    @Test func dottedPathsFindNestedAndFlattenedKeys() {
        let path = JSONFieldPath("attributes.gen_ai.usage.input_tokens")!
        var visitor = PathProbe(path: path)
        for line in [
            #"{"attributes":{"gen_ai.usage.input_tokens":5}}"#,
            #"{"attributes":{"gen_ai":{"usage":{"input_tokens":6}}}}"#,
            #"{"attributes":{"gen_ai.usage":{"input_tokens":7}}}"#, #"{"other":{"gen_ai.usage.input_tokens":8}}"#,
        ] {
            _ = withBytes(line) { JSONLineScanner().scan($0, visitor: &visitor) }
        }
        #expect(visitor.found == ["5", "6", "7"])
        #expect(JSONFieldPath("a..b") == nil && JSONFieldPath("") == nil && JSONFieldPath(".a") == nil)
        var star = PathProbe(path: JSONFieldPath("data.*.n")!)
        _ = withBytes(#"{"data":[{"n":1},{"n":2}],"n":3}"#) { JSONLineScanner().scan($0, visitor: &star) }
        #expect(star.found == ["1", "2"])
    }

    struct PathProbe: JSONVisitor {
        let path: JSONFieldPath
        var found: [String] = []
        mutating func visit(_ at: JSONPath, _ value: JSONValue) {
            if path.matches(at) { found.append(value.text()) }
        }
    }

    @Test func aMapReadsAnyJSONWithSumsFiltersAndUnits() throws {
        var options = ParseOptions()
        options.jsonMap = try JSONRecordSpec(
            parsingMap:
                "ts=request.request_received_ms,prompt=request.input_tokens+request.tool_tokens,cached=request.cached_tokens,output=request.output_tokens,model=request.model,id=request.request_id,where=event_type:request_end|request_done",
            timeUnit: .milliseconds)
        let line = { (event: String, id: String, input: Int, cached: Int, output: Int) in
            #"{"event_type":"\#(event)","request":{"request_id":"\#(id)","model":"m","input_tokens":\#(input),"tool_tokens":3,"cached_tokens":\#(cached),"output_tokens":\#(output),"request_received_ms":1762178727123}}"#
        }
        let parsed = try parse(
            .csv,
            [
                line("request_end", "a", 100, 40, 9), line("request_start", "b", 0, 0, 0),
                line("request_done", "c", 10, 0, 1), line("request_end", "a", 100, 40, 9),
            ], options: options)
        #expect(parsed.rejects.isEmpty)
        #expect(parsed.skippedByKind == [.filtered: 1, .duplicate: 1])
        #expect(parsed.requests.map(\.request.prompt) == [103, 13])
        #expect(parsed.requests.map(\.request.cached) == [40, 0])
        #expect(parsed.requests.first?.request.micros == 1_762_178_727_123_000)
    }

    @Test func aMappedRelativeTraceAddsItsOffsetsToStart() throws {
        let start = micros("2025-01-01T00:00:00Z")
        var options = ParseOptions(start: start)
        options.jsonMap = try JSONRecordSpec(parsingMap: "ts=t,uncached=in,cached=hit,output=out", timeUnit: .seconds)
        let parsed = try parse(.csv, [#"{"t":90.5,"in":10,"hit":5,"out":2}"#], options: options)
        #expect(parsed.requests.map(\.request.micros) == [start + 90_500_000])
        #expect(parsed.requests.map(\.request.prompt) == [15])

        var csv = ParseOptions(start: start)
        csv.columnMap = try ColumnMap(parsing: "ts=offset,prompt=in,output=out")
        let rows = try parse(.csv, ["offset,in,out", "0,5,1", "3600,6,2"], options: csv)
        #expect(rows.rejects.isEmpty)
        #expect(rows.requests.map(\.request.micros) == [start, start + 3_600_000_000])
    }

    @Test func badMapsSayWhatIsWrong() {
        #expect(throws: FormatSetupError.self) { try JSONRecordSpec(parsingMap: "ts=a,output=b", timeUnit: nil) }
        #expect(throws: FormatSetupError.self) {
            try JSONRecordSpec(parsingMap: "ts=a,prompt=b,uncached=c,output=d", timeUnit: nil)
        }
        #expect(throws: FormatSetupError.self) {
            try JSONRecordSpec(parsingMap: "ts=a,prompt=b,output=c,where=x", timeUnit: nil)
        }
        #expect(throws: FormatSetupError.self) {
            try JSONRecordSpec(parsingMap: "ts=a..b,prompt=b,output=c", timeUnit: nil)
        }
    }

    @Test func startIsRefusedForFormatsWithAbsoluteTimes() {
        #expect(throws: FormatSetupError.startNotUsed(format: "dynamo")) {
            try parse(.dynamo, ["{}"], options: ParseOptions(start: 0))
        }
        #expect(throws: FormatSetupError.startNotUsed(format: "azure")) {
            try parse(.azure, ["TIMESTAMP,ContextTokens,GeneratedTokens"], options: ParseOptions(start: 0))
        }
    }
}
