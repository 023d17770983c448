/// A GLOB pattern over names, with SQLite's meaning: `*` any run of characters, `?` one
/// character, `[abc]`, `[a-z]` and `[^abc]` a class; case matters. The one matcher of model
/// patterns, so that a pattern means in phasecast what it means in SQL.
public struct GlobPattern: Sendable, Equatable {
    public let text: String
    private let pattern: [Character]

    public init(_ text: String) {
        self.text = text
        pattern = Array(text)
    }

    /// Whether the whole of `name` matches.
    public func matches(_ name: String) -> Bool {
        let subject = Array(name)
        var p = 0
        var s = 0
        // The last `*` seen and where in the subject it started matching, for backtracking.
        var star: (pattern: Int, subject: Int)?
        while s < subject.count {
            if p < pattern.count, pattern[p] == "*" {
                star = (p, s)
                p += 1
            } else if p < pattern.count, let next = step(at: p, matching: subject[s]) {
                p = next
                s += 1
            } else if let last = star {
                p = last.pattern + 1
                s = last.subject + 1
                star = (last.pattern, last.subject + 1)
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }

    /// The pattern index after the element at `p` when it matches `character`, or nil.
    private func step(at p: Int, matching character: Character) -> Int? {
        switch pattern[p] {
        case "?": return p + 1
        case "[":
            guard let (matched, end) = matchClass(at: p, character) else {
                return character == "[" ? p + 1 : nil  // an unclosed bracket is a literal
            }
            return matched ? end : nil
        default: return pattern[p] == character ? p + 1 : nil
        }
    }

    /// Whether the class starting at `start` (`[`) holds `character`, and the index after `]`;
    /// nil when the class is never closed.
    private func matchClass(at start: Int, _ character: Character) -> (Bool, Int)? {
        var i = start + 1
        var negated = false
        if i < pattern.count, pattern[i] == "^" {
            negated = true
            i += 1
        }
        var found = false
        var first = true
        while i < pattern.count {
            let c = pattern[i]
            if c == "]" && !first { return (found != negated, i + 1) }
            if i + 2 < pattern.count, pattern[i + 1] == "-", pattern[i + 2] != "]" {
                if c <= character && character <= pattern[i + 2] { found = true }
                i += 3
            } else {
                if c == character { found = true }
                i += 1
            }
            first = false
        }
        return nil
    }
}
