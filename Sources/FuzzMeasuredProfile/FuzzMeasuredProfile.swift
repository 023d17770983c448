import CostModel
import Foundation
import FuzzSupport

/// libFuzzer entry point (`make fuzz`): the input is a measured profile — a Dynamo `.npz` (zip of
/// `.npy` arrays, stored or deflated), its JSON, or a CSV — read as `--measured-profile` reads
/// one; errors are expected, crashes and traps are bugs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMeasuredProfile(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    _ = try? MeasuredProfile.parse(Data(bytes: data, count: size), file: "fuzz")
    return 0
}

/// The executable's entry point (SwiftPM names it `FuzzMeasuredProfile_main`).
@_cdecl("FuzzMeasuredProfile_main")
public func fuzzMeasuredProfileMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32
{
    runFuzzer(argc, argv, fuzzMeasuredProfile)
}
