/// Finds columns of a CSV header by name (ASCII case and surrounding spaces ignored).
public struct CSVHeader: Sendable {
    public let names: [String]
    private let lowercased: [String]

    public init(names: [String]) {
        self.names = names
        self.lowercased = names.map { $0.lowercased() }
    }

    /// The index of the first column called any of `aliases`, or nil.
    public func index(of aliases: String...) -> Int? {
        index(ofAny: aliases)
    }

    /// The index of the first column called any of `aliases`, or nil.
    public func index(ofAny aliases: [String]) -> Int? {
        for alias in aliases {
            if let found = lowercased.firstIndex(of: alias.lowercased()) { return found }
        }
        return nil
    }

    /// A column given by name, or by 1-based number when no column has that name.
    public func column(named spec: String) -> Int? {
        if let found = index(of: spec) { return found }
        if let number = Int(spec), number >= 1, number <= names.count { return number - 1 }
        return nil
    }
}
