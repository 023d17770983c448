import PhasecastCore

/// What is wrong in a pipeline file: the file, the line, the key and what was expected.
public struct ConfigError: PhasecastError, Equatable {
    public var file: String
    public var line: Int
    /// The dotted key (`forecast.horizon`), or empty for a syntax error.
    public var key: String
    public var reason: String

    public init(file: String, line: Int, key: String, reason: String) {
        self.file = file
        self.line = line
        self.key = key
        self.reason = reason
    }

    public var description: String {
        let place = line > 0 ? "\(file):\(line)" : file
        return key.isEmpty ? "\(place): \(reason)" : "\(place): \(key): \(reason)"
    }

    public var exitStatus: ExitStatus { .config }
}

/// Reads one TOML table into typed values, remembering which keys were read so that unknown
/// ones (typos) are errors rather than silently ignored.
struct TableReader {
    let file: String
    let table: TOMLTable
    /// The dotted path of the table (`plan`, `scenarios[2]`), for messages.
    let path: String
    /// Keys asked for, in the order asked: the keys this table knows.
    private(set) var read: [String] = []

    init(file: String, table: TOMLTable, path: String) {
        self.file = file
        self.table = table
        self.path = path
    }

    func fullKey(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ key: String, _ reason: String) -> ConfigError {
        ConfigError(file: file, line: table[key]?.line ?? table.line, key: fullKey(key), reason: reason)
    }

    private mutating func entry(_ key: String) -> TOMLTable.Entry? {
        if !read.contains(key) { read.append(key) }
        return table[key]
    }

    mutating func string(_ key: String) throws(ConfigError) -> String? {
        guard let entry = entry(key) else { return nil }
        guard case .string(let value) = entry.value else {
            throw error(key, "expected a string in quotes, got \(entry.value.kind)")
        }
        return value
    }

    mutating func strings(_ key: String) throws(ConfigError) -> [String]? {
        guard let entry = entry(key) else { return nil }
        if case .string(let value) = entry.value { return [value] }
        guard case .array(let items) = entry.value else {
            throw error(key, "expected an array of strings, got \(entry.value.kind)")
        }
        var values: [String] = []
        for item in items {
            guard case .string(let value) = item else {
                throw error(key, "expected an array of strings, found \(item.kind) in it")
            }
            values.append(value)
        }
        return values
    }

    mutating func number(_ key: String, in range: ClosedRange<Double>? = nil) throws(ConfigError) -> Double? {
        guard let entry = entry(key) else { return nil }
        let value: Double
        switch entry.value {
        case .integer(let integer): value = Double(integer)
        case .double(let double): value = double
        default: throw error(key, "expected a number, got \(entry.value.kind)")
        }
        if let range, !range.contains(value) {
            throw error(
                key,
                "expected a number from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound)), got \(Self.format(value))"
            )
        }
        return value
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int>? = nil) throws(ConfigError) -> Int? {
        guard let entry = entry(key) else { return nil }
        guard case .integer(let value) = entry.value else {
            throw error(key, "expected a whole number, got \(entry.value.kind)")
        }
        if let range, !range.contains(Int(value)) {
            throw error(key, "expected a whole number from \(range.lowerBound) to \(range.upperBound), got \(value)")
        }
        return Int(value)
    }

    mutating func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let entry = entry(key) else { return nil }
        guard case .bool(let value) = entry.value else {
            throw error(key, "expected true or false, got \(entry.value.kind)")
        }
        return value
    }

    /// The longest duration a pipeline file may give: ten years.
    static let maximumDays = 3650

    /// A duration in days: `90d`, `13w`, or a whole number of days, at most ten years.
    mutating func days(_ key: String) throws(ConfigError) -> Int? {
        guard let entry = entry(key) else { return nil }
        let days: Int?
        switch entry.value {
        case .integer(let value) where value > 0: days = Int(exactly: value) ?? Int.max
        case .string(let text): days = Self.parseDays(text)
        default: throw error(key, "expected a duration like \"90d\" or \"13w\", got \(entry.value.kind)")
        }
        guard let days else {
            throw error(key, "expected a duration like \"90d\" or \"13w\", got \(Self.describe(entry.value))")
        }
        guard days <= Self.maximumDays else {
            throw error(
                key,
                "expected a duration of at most \(Self.maximumDays) days (ten years), got \(Self.describe(entry.value))"
            )
        }
        return days
    }

    /// A duration in seconds: `36h`, `2d`, `90m`, `600s` (a bare number is hours), up to ten
    /// years.
    mutating func seconds(_ key: String) throws(ConfigError) -> Int? {
        guard let entry = entry(key) else { return nil }
        var seconds: Int?
        switch entry.value {
        case .integer(let value): seconds = Int(exactly: value).flatMap { CalendarDay.seconds("\($0)h") }
        case .string(let text): seconds = CalendarDay.seconds(text)
        default: break
        }
        guard let seconds, seconds <= Self.maximumDays * 86_400 else {
            throw error(key, "expected a duration like \"36h\", \"2d\" or \"90m\", got \(Self.describe(entry.value))")
        }
        return seconds
    }

    /// A duration in whole minutes: `180s`, `3m`, or a whole number of seconds; it must be a
    /// whole number of minutes (the rollups' grain) within `minutes`.
    mutating func minutes(_ key: String, in minutes: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let entry = entry(key) else { return nil }
        var whole: Int?
        switch entry.value {
        case .integer(let value): whole = Int(exactly: value).flatMap { CalendarDay.wholeMinutes(String($0)) }
        case .string(let text): whole = CalendarDay.wholeMinutes(text)
        default: break
        }
        guard let whole, minutes.contains(whole) else {
            throw error(
                key,
                "expected a whole number of minutes from \(minutes.lowerBound * 60)s to \(minutes.upperBound * 60)s, like \"180s\" or \"3m\", got \(Self.describe(entry.value))"
            )
        }
        return whole
    }

    private static func describe(_ value: TOMLValue) -> String {
        if case .string(let text) = value { return "\"\(text)\"" }
        if case .integer(let number) = value { return String(number) }
        return value.kind
    }

    mutating func table(_ key: String) throws(ConfigError) -> TableReader? {
        guard let entry = entry(key) else { return nil }
        guard case .table(let inner) = entry.value else {
            throw error(key, "expected a table ([\(fullKey(key))]), got \(entry.value.kind)")
        }
        return TableReader(file: file, table: inner, path: fullKey(key))
    }

    mutating func tables(_ key: String) throws(ConfigError) -> [TableReader] {
        guard let entry = entry(key) else { return [] }
        guard case .array(let items) = entry.value else {
            throw error(key, "expected [[\(fullKey(key))]] tables, got \(entry.value.kind)")
        }
        var readers: [TableReader] = []
        for (index, item) in items.enumerated() {
            guard case .table(let inner) = item else {
                throw error(key, "expected [[\(fullKey(key))]] tables, found \(item.kind)")
            }
            readers.append(TableReader(file: file, table: inner, path: "\(fullKey(key))[\(index + 1)]"))
        }
        return readers
    }

    /// Fails on the first key that was never asked for, listing the ones that were.
    func rejectUnknownKeys() throws(ConfigError) {
        for entry in table.entries where !read.contains(entry.key) {
            let list = read.joined(separator: ", ")
            throw ConfigError(
                file: file, line: entry.line, key: fullKey(entry.key),
                reason: "unknown key\(path.isEmpty ? "" : " in [\(path)]"); known: \(list)")
        }
    }

    static func parseDays(_ text: String) -> Int? { CalendarDay.duration(text) }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
