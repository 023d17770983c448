import PhasecastCore

/// A value of a TOML document, with the line it was written on.
public indirect enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case double(Double)
    case bool(Bool)
    case array([TOMLValue])
    case table(TOMLTable)

    /// How the value is named in messages: "a string", "an integer", …
    public var kind: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .double: "a number"
        case .bool: "true or false"
        case .array: "an array"
        case .table: "a table"
        }
    }
}

/// A TOML table: its keys in the order written, each with its value and line.
public struct TOMLTable: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: TOMLValue
        public var line: Int
    }

    public var entries: [Entry] = []
    /// The line of the table's header (0 for the root).
    public var line = 0

    public init(line: Int = 0) { self.line = line }

    public subscript(key: String) -> Entry? { entries.first { $0.key == key } }
}

/// A syntax error in a TOML document, at a line.
public struct TOMLError: PhasecastError, Equatable, Sendable {
    public var line: Int
    public var reason: String
    public var description: String { "line \(line): \(reason)" }
    public var exitStatus: ExitStatus { .config }
}

/// Parses the part of TOML that pipeline files use: comments, `[table]` and `[a.b]` headers,
/// `[[array]]` tables, bare and quoted keys, dotted keys, basic and literal strings, integers
/// (with `_`), floats, booleans, arrays (over several lines too) and inline tables. Dates and
/// multi-line strings are not supported, and say so.
public struct TOMLParser {
    private let lines: [Substring]
    private var root = TOMLTable()
    /// The path of the table that keys go into, and whether it is an element of an array of tables.
    private var current: [String] = []
    /// Tables declared by a header, to refuse a second header of the same table.
    private var declared = Set<String>()

    /// The largest pipeline file read, in bytes: far above any real one, small enough that no
    /// input can exhaust memory.
    public static let maximumBytes = 1 << 20
    /// The deepest nesting of arrays and inline tables.
    public static let maximumDepth = 32
    /// The most parts a dotted key may have, and the longest key part.
    public static let maximumKeyParts = 16
    public static let maximumKeyLength = 256

    /// Parses a document; LF or CRLF line ends, with or without a UTF-8 byte-order mark.
    public static func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        guard text.utf8.count <= maximumBytes else {
            throw TOMLError(
                line: 0, reason: "the file is over \(maximumBytes / 1024) KiB; a pipeline file is a few KiB")
        }
        var body = Substring(text)
        if body.unicodeScalars.first == "\u{FEFF}" { body = body.dropFirst() }
        // "\r\n" is one Character: splitting on line breaks, not on "\n", keeps CRLF files' lines.
        var parser = TOMLParser(lines: body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline))
        try parser.run()
        return parser.root
    }

    private init(lines: [Substring]) { self.lines = lines }

    private mutating func run() throws(TOMLError) {
        var index = 0
        while index < lines.count {
            let number = index + 1
            var scanner = Scanner(text: String(lines[index]), line: number)
            index += 1
            scanner.skipSpace()
            if scanner.atEndOrComment { continue }
            if scanner.peek == "[" {
                try header(&scanner)
                continue
            }
            let key = try scanner.key()
            scanner.skipSpace()
            guard scanner.take("=") else {
                throw scanner.error("expected '=' after the key \(key.joined(separator: "."))")
            }
            scanner.skipSpace()
            // Arrays may run over several lines: join lines until the brackets close, tracking the
            // brackets line by line so that a long array costs linear time.
            var brackets = BracketTracker()
            brackets.feed(scanner.characters[scanner.position...])
            while brackets.depth > 0 && index < lines.count {
                let more = Array(lines[index])
                brackets.feed(["\n"] + more)
                scanner.append(more)
                index += 1
            }
            let value = try scanner.value()
            scanner.skipSpace()
            guard scanner.atEndOrComment else { throw scanner.error("unexpected text after the value") }
            try insert(value, at: current + key, line: number)
        }
    }

    private mutating func header(_ scanner: inout Scanner) throws(TOMLError) {
        let isArray = scanner.take("[[")
        if !isArray { _ = scanner.take("[") }
        scanner.skipSpace()
        let path = try scanner.key()
        scanner.skipSpace()
        guard scanner.take(isArray ? "]]" : "]") else {
            throw scanner.error("expected '\(isArray ? "]]" : "]")' to close the header")
        }
        scanner.skipSpace()
        guard scanner.atEndOrComment else { throw scanner.error("unexpected text after the header") }
        let line = scanner.line
        if isArray {
            try appendTable(at: path, line: line)
            current = path
        } else {
            let name = path.joined(separator: ".")
            guard declared.insert(name).inserted else {
                throw TOMLError(line: line, reason: "table [\(name)] is declared twice")
            }
            try ensureTable(at: path, line: line)
            current = path
        }
    }

    // MARK: - Building the tree

    private mutating func insert(_ value: TOMLValue, at path: [String], line: Int) throws(TOMLError) {
        try Self.modify(&root, path: Array(path.dropLast()), line: line, create: true) { table throws(TOMLError) in
            let key = path[path.count - 1]
            if table[key] != nil {
                throw TOMLError(line: line, reason: "key \(path.joined(separator: ".")) is set twice")
            }
            table.entries.append(.init(key: key, value: value, line: line))
        }
    }

    private mutating func ensureTable(at path: [String], line: Int) throws(TOMLError) {
        try Self.modify(&root, path: path, line: line, create: true) { _ throws(TOMLError) in }
    }

    private mutating func appendTable(at path: [String], line: Int) throws(TOMLError) {
        try Self.modify(&root, path: Array(path.dropLast()), line: line, create: true) { table throws(TOMLError) in
            let key = path[path.count - 1]
            if let index = table.entries.firstIndex(where: { $0.key == key }) {
                guard case .array(var items) = table.entries[index].value,
                    items.allSatisfy({ if case .table = $0 { true } else { false } })
                else { throw TOMLError(line: line, reason: "\(path.joined(separator: ".")) is not an array of tables") }
                items.append(.table(TOMLTable(line: line)))
                table.entries[index].value = .array(items)
            } else {
                table.entries.append(.init(key: key, value: .array([.table(TOMLTable(line: line))]), line: line))
            }
        }
    }

    /// Walks `path` from `table` (into the last element of arrays of tables), creating tables
    /// on the way, and applies `change` to the table at its end.
    private static func modify(
        _ table: inout TOMLTable, path: [String], line: Int, create: Bool,
        _ change: (inout TOMLTable) throws(TOMLError) -> Void
    ) throws(TOMLError) {
        guard let first = path.first else {
            try change(&table)
            return
        }
        let rest = Array(path.dropFirst())
        if let index = table.entries.firstIndex(where: { $0.key == first }) {
            switch table.entries[index].value {
            case .table(var inner):
                try modify(&inner, path: rest, line: line, create: create, change)
                table.entries[index].value = .table(inner)
            case .array(var items):
                guard case .table(var inner)? = items.last else {
                    throw TOMLError(line: line, reason: "\(first) is an array of values, not of tables")
                }
                try modify(&inner, path: rest, line: line, create: create, change)
                items[items.count - 1] = .table(inner)
                table.entries[index].value = .array(items)
            default:
                throw TOMLError(
                    line: line, reason: "\(first) is already \(table.entries[index].value.kind), not a table")
            }
        } else {
            var inner = TOMLTable(line: line)
            try modify(&inner, path: rest, line: line, create: create, change)
            table.entries.append(.init(key: first, value: .table(inner), line: line))
        }
    }
}

/// Reads keys and values from one line (or a few joined lines) of TOML.
private struct Scanner {
    var characters: [Character]
    var position = 0
    let line: Int

    init(text: String, line: Int) {
        characters = Array(text)
        self.line = line
    }

    func error(_ reason: String) -> TOMLError { TOMLError(line: line, reason: reason) }

    var peek: Character? { position < characters.count ? characters[position] : nil }
    var atEndOrComment: Bool { peek == nil || peek == "#" || peek == "\r" }

    mutating func skipSpace() {
        while let c = peek, c == " " || c == "\t" { position += 1 }
    }

    /// Skips spaces, line breaks and comments (inside arrays).
    mutating func skipSpaceAndComments() {
        while let c = peek {
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                position += 1
            } else if c == "#" {
                while let d = peek, d != "\n" { position += 1 }
            } else {
                return
            }
        }
    }

    mutating func take(_ text: String) -> Bool {
        let wanted = Array(text)
        guard position + wanted.count <= characters.count,
            Array(characters[position..<(position + wanted.count)]) == wanted
        else { return false }
        position += wanted.count
        return true
    }

    mutating func append(_ more: [Character]) {
        characters.append("\n")
        characters += more
    }

    /// A key: bare or quoted parts joined by dots.
    mutating func key() throws(TOMLError) -> [String] {
        var parts: [String] = []
        while true {
            guard parts.count < TOMLParser.maximumKeyParts else {
                throw error("a key has more than \(TOMLParser.maximumKeyParts) dotted parts")
            }
            skipSpace()
            if peek == "\"" || peek == "'" {
                parts.append(try string())
            } else {
                var bare = ""
                while let c = peek, c.isLetter || c.isNumber || c == "_" || c == "-" {
                    bare.append(c)
                    position += 1
                    guard bare.count <= TOMLParser.maximumKeyLength else {
                        throw error("a key is longer than \(TOMLParser.maximumKeyLength) characters")
                    }
                }
                guard !bare.isEmpty else {
                    throw error(peek.map { "unexpected '\($0)' where a key was expected" } ?? "a key is missing")
                }
                parts.append(bare)
            }
            skipSpace()
            guard take(".") else { return parts }
        }
    }

    mutating func value(depth: Int = 0) throws(TOMLError) -> TOMLValue {
        guard let c = peek else { throw error("a value is missing after '='") }
        guard depth < TOMLParser.maximumDepth else {
            throw error("arrays and inline tables are nested more than \(TOMLParser.maximumDepth) deep")
        }
        switch c {
        case "\"", "'":
            if take("\"\"\"") || take("'''") { throw error("multi-line strings are not supported; use one line") }
            return .string(try string())
        case "[":
            position += 1
            var items: [TOMLValue] = []
            while true {
                skipSpaceAndComments()
                guard peek != nil else { throw error("the array is not closed: a ']' is missing") }
                if take("]") { return .array(items) }
                items.append(try value(depth: depth + 1))
                skipSpaceAndComments()
                if take(",") { continue }
                skipSpaceAndComments()
                guard take("]") else { throw error("expected ',' or ']' in the array") }
                return .array(items)
            }
        case "{":
            position += 1
            var table = TOMLTable(line: line)
            skipSpace()
            if take("}") { return .table(table) }
            while true {
                let key = try self.key()
                skipSpace()
                guard take("=") else { throw error("expected '=' in the inline table") }
                skipSpace()
                let item = try value(depth: depth + 1)
                guard key.count == 1 else { throw error("dotted keys inside inline tables are not supported") }
                if table[key[0]] != nil { throw error("key \(key[0]) is set twice") }
                table.entries.append(.init(key: key[0], value: item, line: line))
                skipSpace()
                if take(",") { continue }
                guard take("}") else { throw error("expected ',' or '}' in the inline table") }
                return .table(table)
            }
        case "t", "f":
            if take("true") { return .bool(true) }
            if take("false") { return .bool(false) }
            throw error("expected a value (a string needs quotes)")
        default:
            return try number()
        }
    }

    mutating func string() throws(TOMLError) -> String {
        let quote = characters[position]
        position += 1
        var text = ""
        while let c = peek {
            position += 1
            if c == quote { return text }
            if c == "\n" { break }
            if c == "\\" && quote == "\"" {
                guard let escaped = peek else { break }
                position += 1
                switch escaped {
                case "\"": text.append("\"")
                case "\\": text.append("\\")
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "r": text.append("\r")
                default: throw error("unknown escape \\\(escaped) in a string")
                }
            } else {
                text.append(c)
            }
        }
        throw error("a string is not closed")
    }

    mutating func number() throws(TOMLError) -> TOMLValue {
        var text = ""
        while let c = peek, c.isNumber || "+-._eE".contains(c) || c.isLetter {
            text.append(c)
            position += 1
        }
        let digits = text.replacingOccurrences(of: "_", with: "")
        if let integer = Int64(digits) { return .integer(integer) }
        if let double = Double(digits), digits.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
            return .double(double)
        }
        if text.isEmpty { throw error("unexpected '\(peek.map(String.init) ?? "")' where a value was expected") }
        if text.count >= 10 && text.dropFirst(4).first == "-" {
            throw error("dates are not supported; write \"\(text)\" in quotes")
        }
        throw error("'\(text)' is not a value (a string needs quotes)")
    }
}

/// Follows the brackets of a value over the lines it spans: depth, and whether a string is open.
private struct BracketTracker {
    private(set) var depth = 0
    private var quote: Character?
    private var escaping = false
    private var inComment = false

    mutating func feed<C: Collection>(_ characters: C) where C.Element == Character {
        for c in characters {
            if inComment {
                if c == "\n" { inComment = false }
            } else if let open = quote {
                if escaping {
                    escaping = false
                } else if c == "\\" && open == "\"" {
                    escaping = true
                } else if c == open || c == "\n" {
                    quote = nil
                }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "#" {
                inComment = true
            } else if c == "[" || c == "{" {
                depth += 1
            } else if c == "]" || c == "}" {
                depth -= 1
            }
        }
    }
}
