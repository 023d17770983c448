#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Byte-level number parsing for the hot loop: no `String`, no Foundation, no allocation.
public enum ByteParsing {
    /// The largest token count phasecast accepts for one request (2³¹ − 1).
    public static let maxTokenCount: Int64 = 2_147_483_647

    /// What reading a token count from a field found.
    public enum Count: Equatable, Sendable {
        case value(Int64)
        case empty
        case notANumber
        case negative
        case tooLarge
    }

    @inlinable
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// Whether the bytes are only spaces and tabs (or nothing).
    @inlinable
    public static func isBlank(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for byte in bytes where !isSpace(byte) { return false }
        return true
    }

    /// Bounds of `bytes` without leading and trailing spaces and tabs.
    @inlinable
    public static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0
        var end = bytes.count
        while start < end && isSpace(bytes[start]) { start += 1 }
        while end > start && isSpace(bytes[end - 1]) { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// Reads a non-negative token count: digits, optionally a `.0…` fraction of zeros
    /// (some exporters write counts as floats), surrounding spaces allowed.
    @inlinable
    public static func tokenCount(_ raw: UnsafeRawBufferPointer) -> Count {
        // The common case first: 1 to 9 plain digits.
        if raw.count < 10, let value = plainDigits(raw) { return value > maxTokenCount ? .tooLarge : .value(value) }
        let bytes = trimmed(raw)
        let n = bytes.count
        if n == 0 { return .empty }
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
        } else if bytes[0] == UInt8(ascii: "+") {
            i = 1
        }
        let digitsStart = i
        var value: Int64 = 0
        var overflow = false
        while i < n {
            let digit = bytes[i] &- 48
            if digit > 9 { break }
            if !overflow {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int64(digit))
                if o1 || o2 { overflow = true } else { value = sum }
            }
            i += 1
        }
        if i == digitsStart { return .notANumber }
        if i < n {
            // Only a fraction of zeros may follow: "123.0", "123.000".
            guard bytes[i] == UInt8(ascii: ".") else { return .notANumber }
            i += 1
            while i < n && bytes[i] == UInt8(ascii: "0") { i += 1 }
            if i < n { return .notANumber }
        }
        if negative && (value != 0 || overflow) { return .negative }
        if overflow || value > maxTokenCount { return .tooLarge }
        return .value(value)
    }

    /// The value of 1 to 18 ASCII digits and nothing else; nil otherwise.
    @inlinable @inline(__always)
    public static func plainDigits(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        guard bytes.count > 0 && bytes.count <= 18 else { return nil }
        var value: Int64 = 0
        for byte in bytes {
            let digit = byte &- 48
            if digit > 9 { return nil }
            value = value &* 10 &+ Int64(digit)
        }
        return value
    }

    /// Reads a decimal number with an optional fraction and exponent and returns it scaled by
    /// 10^`scaleDigits` (for example seconds → microseconds with 6), truncated toward zero,
    /// or nil when the field is not such a number or would overflow.
    @inlinable
    public static func scaledDecimal(_ raw: UnsafeRawBufferPointer, scaleDigits: Int) -> Int64? {
        let bytes = trimmed(raw)
        let n = bytes.count
        var i = 0
        var negative = false
        if n > 0 && (bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+")) {
            negative = bytes[0] == UInt8(ascii: "-")
            i = 1
        }
        // mantissa × 10^power, keeping at most 17 significant digits in the mantissa.
        let mantissaLimit: Int64 = 10_000_000_000_000_000
        var mantissa: Int64 = 0
        var power = scaleDigits
        var sawDigits = false
        while i < n, bytes[i] &- 48 <= 9 {
            if mantissa < mantissaLimit {
                mantissa = mantissa * 10 + Int64(bytes[i] &- 48)
            } else {
                power += 1
            }
            sawDigits = true
            i += 1
        }
        if i < n && bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, bytes[i] &- 48 <= 9 {
                if mantissa < mantissaLimit {
                    mantissa = mantissa * 10 + Int64(bytes[i] &- 48)
                    power -= 1
                }
                sawDigits = true
                i += 1
            }
        }
        guard sawDigits else { return nil }
        if i < n && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            // Scientific notation, as some exporters write large epoch values: 1.7e9.
            i += 1
            var exponentNegative = false
            if i < n && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            var exponent = 0
            let exponentStart = i
            while i < n, bytes[i] &- 48 <= 9 {
                if exponent < 1000 { exponent = exponent * 10 + Int(bytes[i] &- 48) }
                i += 1
            }
            if i == exponentStart { return nil }
            power += exponentNegative ? -exponent : exponent
        }
        guard i == n else { return nil }
        var value = mantissa
        if power >= 0 {
            for _ in 0..<power {
                let (product, overflow) = value.multipliedReportingOverflow(by: 10)
                if overflow { return nil }
                value = product
            }
        } else {
            for _ in 0..<min(-power, 19) { value /= 10 }
        }
        return negative ? -value : value
    }

    /// True when the bytes equal the ASCII text, ignoring the case of ASCII letters.
    @inlinable
    public static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount else { return false }
        let other = text.utf8Start
        for i in 0..<bytes.count where asciiLowercase(bytes[i]) != asciiLowercase(other[i]) {
            return false
        }
        return true
    }

    @inlinable
    static func asciiLowercase(_ byte: UInt8) -> UInt8 {
        (byte >= 65 && byte <= 90) ? byte + 32 : byte
    }

    /// True when the bytes equal the ASCII text exactly.
    @inlinable
    public static func equals(_ bytes: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount else { return false }
        guard let base = bytes.baseAddress else { return true }
        return memcmp(base, text.utf8Start, bytes.count) == 0
    }

    /// True when the bytes equal `other` exactly.
    public static func equals(_ bytes: UnsafeRawBufferPointer, _ other: [UInt8]) -> Bool {
        guard bytes.count == other.count else { return false }
        return other.withUnsafeBytes { stored in
            guard let a = bytes.baseAddress, let b = stored.baseAddress else { return true }
            return memcmp(a, b, bytes.count) == 0
        }
    }

    /// A short, printable rendering of a field for reject reasons.
    public static func display(_ bytes: UnsafeRawBufferPointer, limit: Int = 40) -> String {
        let cut = UnsafeRawBufferPointer(rebasing: bytes[0..<min(bytes.count, limit)])
        var text = ""
        // Control bytes (a NUL, an escape sequence) would reach terminals and reports as they are.
        for scalar in String(decoding: cut, as: UTF8.self).unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                text += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16, uppercase: true)
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        return bytes.count > limit ? "\"\(text)…\"" : "\"\(text)\""
    }
}
