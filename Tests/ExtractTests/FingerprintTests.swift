import Testing

@testable import Extract

@Suite struct FingerprintTests {
    /// Known XXH64 values (seed 0), computed with the reference implementation's Python binding.
    @Test(arguments: [
        ("", "ef46db3751d8e999"),
        ("a", "d24ec4f1a98c6e5b"),
        ("abc", "44bc2cf5ad770999"),
        ("0123456789abcdef0123456789abcdef", "642a94958e71e6c5"),
        ("bytes 0…255, five times", "afc184ad7938a354"),
    ])
    func matchesReferenceValues(input: String, expected: String) {
        let bytes: [UInt8] =
            input.hasPrefix("bytes 0…255") ? (0..<5).flatMap { _ in (0...255).map { UInt8($0) } } : Array(input.utf8)
        var whole = Fingerprint()
        bytes.withUnsafeBytes { whole.update($0) }
        #expect(whole.text == "xxh64:" + expected)
        // Fed in uneven pieces, the result is the same.
        var pieces = Fingerprint()
        var offset = 0
        var size = 1
        while offset < bytes.count {
            let end = min(bytes.count, offset + size)
            bytes[offset..<end].withUnsafeBytes { pieces.update($0) }
            offset = end
            size = size * 2 + 1
        }
        #expect(pieces.text == whole.text)
        #expect(pieces.length == Int64(bytes.count))
    }
}
