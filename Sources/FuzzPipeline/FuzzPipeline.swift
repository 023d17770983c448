import FuzzSupport
import Pipeline

/// libFuzzer entry point (`make fuzz`): the input is a pipeline file. It is parsed and checked
/// as `phasecast run` reads one; errors are expected, crashes and traps are bugs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPipeline(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? PipelineConfig.parse(text, file: "fuzz.toml")
    return 0
}

/// The executable's entry point (SwiftPM names it `FuzzPipeline_main`).
@_cdecl("FuzzPipeline_main")
public func fuzzPipelineMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzPipeline)
}
