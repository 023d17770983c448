import FuzzSupport
import PhasecastCore

/// libFuzzer entry point (`make fuzz`): the input is a stored length histogram, read both as the
/// packed BLOB of the minute rollups and as the JSON text of the hour and day tables. Refusals are
/// expected; crashes and traps are bugs, and so is a histogram that reads but does not read back
/// the same from its own encodings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLengthHistogram(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for histogram in [LengthHistogram(packed: bytes), LengthHistogram(json: String(decoding: bytes, as: UTF8.self))] {
        guard let histogram else { continue }
        precondition(LengthHistogram(packed: histogram.packed) == histogram, "packed form does not read back")
        precondition(LengthHistogram(json: histogram.json) == histogram, "JSON form does not read back")
    }
    return 0
}

/// The executable's entry point (SwiftPM names it `FuzzLengthHistogram_main`).
@_cdecl("FuzzLengthHistogram_main")
public func fuzzLengthHistogramMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32
{
    runFuzzer(argc, argv, fuzzLengthHistogram)
}
