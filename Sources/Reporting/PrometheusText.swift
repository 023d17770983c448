import Foundation

/// Prometheus's text exposition format (version 0.0.4), as node_exporter's textfile collector
/// reads it: per metric family a `# HELP` and a `# TYPE` line, then its samples, label values
/// escaped (backslash, double quote, newline).
public struct PrometheusText: Sendable {
    /// One sample of a family.
    public struct Sample: Sendable, Equatable {
        public var labels: [(name: String, value: String)]
        public var value: Double

        public init(labels: [(name: String, value: String)], value: Double) {
            self.labels = labels
            self.value = value
        }

        public static func == (a: Sample, b: Sample) -> Bool {
            a.value == b.value && a.labels.map(\.name) == b.labels.map(\.name)
                && a.labels.map(\.value) == b.labels.map(\.value)
        }
    }

    /// A metric family: its name, help, type (`gauge` here: every figure is a state of the last
    /// run) and samples.
    public struct Family: Sendable {
        public var name: String
        public var help: String
        public var type = "gauge"
        public var samples: [Sample]

        public init(name: String, help: String, samples: [Sample]) {
            self.name = name
            self.help = help
            self.samples = samples
        }
    }

    public var families: [Family] = []

    public init() {}

    /// Adds a family (families without samples are left out: the format wants none empty).
    public mutating func add(_ name: String, _ help: String, _ samples: [Sample]) {
        guard !samples.isEmpty else { return }
        families.append(Family(name: name, help: help, samples: samples))
    }

    /// The exposition text, ending in a newline.
    public var text: String {
        var out = ""
        for family in families {
            out += "# HELP \(family.name) \(Self.escapeHelp(family.help))\n"
            out += "# TYPE \(family.name) \(family.type)\n"
            for sample in family.samples {
                out += family.name
                if !sample.labels.isEmpty {
                    out +=
                        "{"
                        + sample.labels.map { "\($0.name)=\"\(Self.escapeLabel($0.value))\"" }.joined(separator: ",")
                        + "}"
                }
                out += " " + Self.number(sample.value) + "\n"
            }
        }
        return out
    }

    /// Go's float formatting as Prometheus reads it: integers plainly, others in full precision,
    /// and `NaN`, `+Inf`, `-Inf`.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func escapeLabel(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func escapeHelp(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
