import Foundation
import Pipeline
import Testing

/// Pipeline files written on other systems, or made to break the parser: each is read or refused
/// with a message, in bounded time and memory, never a crash.
@Suite struct HostilePipelineFileTests {
    private func reason(_ text: String) -> String? {
        do {
            _ = try PipelineConfig.parse(text, file: "p.toml")
            return nil
        } catch {
            return error.description
        }
    }

    @Test func crlfLineEndsAndAByteOrderMarkAreRead() throws {
        let text = "[plan]\r\nquantile = \"P95\"\r\n\r\n[forecast]\r\nhorizon = \"30d\" # a comment\r\n"
        for variant in [text, "\u{FEFF}" + text] {
            let config = try PipelineConfig.parse(variant, file: "p.toml")
            #expect(config.plan.headlineQuantile == 95 && config.forecast.horizonDays == 30)
        }
        // Line numbers still count CRLF lines.
        #expect(reason("[plan]\r\n\r\nquantile = \"P99\"\r\n")?.hasPrefix("p.toml:3: plan.quantile") == true)
    }

    @Test func durationsAreBoundedToTenYears() {
        #expect(reason("[forecast]\nhorizon = \"99999999999d\"\n")?.contains("at most 3650 days") == true)
        #expect(reason("[forecast]\nhorizon = 99999999999\n")?.contains("at most 3650 days") == true)
        #expect(reason("[forecast]\nhorizon = \"9223372036854775807w\"\n")?.contains("expected a duration") == true)
        #expect(reason("[plan]\nhorizons = [\"99999999999d\"]\n")?.contains("up to 3650 days") == true)
        #expect(reason("[forecast]\nhorizon = \"3650d\"\n") == nil)
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = "x = " + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000) + "\n"
        #expect(reason(deep)?.contains("nested more than 32 deep") == true)
        let inline = "x = " + String(repeating: "{a = ", count: 40) + "1" + String(repeating: "}", count: 40) + "\n"
        #expect(reason(inline)?.contains("nested more than 32 deep") == true)
    }

    @Test func longKeysAndHugeFilesAreRefused() {
        let dotted = Array(repeating: "a", count: 100_000).joined(separator: ".") + " = 1\n"
        #expect(reason(dotted)?.contains("more than 16 dotted parts") == true)
        let long = String(repeating: "k", count: 300) + " = 1\n"
        #expect(reason(long)?.contains("longer than 256 characters") == true)
        let huge = String(repeating: "# padding\n", count: 120_000)
        #expect(reason(huge)?.contains("over 1024 KiB") == true)
    }

    @Test func aLongMultiLineArrayIsReadInLinearTime() throws {
        // 50,000 lines: quadratic re-scanning took minutes; this must be well under a second's work.
        let text = "[ingest]\npaths = [\n" + (0..<50_000).map { "  \"/logs/\($0)\"," }.joined(separator: "\n") + "\n]\n"
        let started = Date()
        let config = try PipelineConfig.parse(text, file: "p.toml")
        #expect(config.ingest?.paths.count == 50_000)
        #expect(Date().timeIntervalSince(started) < 20, "a linear parse of 1 MiB takes well under this")
    }

    @Test func thePlausibilityCeilingIsSetPerPipeline() throws {
        let config = try PipelineConfig.parse(
            "[ingest]\npaths = [\"/logs\"]\nmax_tokens_per_request = 2000000\n", file: "p.toml")
        #expect(config.ingest?.maxTokensPerRequest == 2_000_000)
        #expect(reason("[ingest]\npaths = [\"/logs\"]\nmax_tokens_per_request = 0\n")?.contains("from 1 to") == true)
    }
}
