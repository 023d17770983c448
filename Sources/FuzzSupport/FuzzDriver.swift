/// One fuzz input: libFuzzer's callback signature.
public typealias FuzzTarget = @convention(c) (UnsafePointer<UInt8>, Int) -> Int32

/// libFuzzer's driver (`-sanitize=fuzzer` links it): parses libFuzzer's flags and calls `target`
/// with each input.
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: FuzzTarget
) -> Int32

/// Runs libFuzzer on `target`: what each fuzz executable's entry point (`<Target>_main`, the name
/// SwiftPM gives it) returns.
public func runFuzzer(
    _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ target: FuzzTarget
) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, target)
}
