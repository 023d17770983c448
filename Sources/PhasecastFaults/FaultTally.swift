import PhasecastCore

/// The trials of one section of the suite, printed as a Markdown table as they finish, and
/// the totals the suite ends with.
final class FaultTally {
    private(set) var trials = 0
    private(set) var failures = 0
    private(set) var lost = 0
    private(set) var extra = 0
    private(set) var crashes = 0
    private(set) var skipped = 0
    private var failedNames: [String] = []

    /// Starts a section: its title and its table's columns (an outcome column is added).
    func section(_ title: String, columns: [String]) {
        Console.output(
            "\n## \(title)\n\n| " + (columns + ["outcome"]).joined(separator: " | ") + " |\n|"
                + String(repeating: "---|", count: columns.count + 1) + "\n")
    }

    /// Records one trial and prints its row. `lost` and `extra` count rows against the
    /// uninterrupted result; `crashed` is a process ended by a signal it was not sent.
    func record(
        _ name: String, _ cells: [String], ok: Bool, note: String = "", lost: Int = 0, extra: Int = 0,
        crashed: Bool = false
    ) {
        trials += 1
        if !ok {
            failures += 1
            failedNames.append(name)
        }
        self.lost += lost
        self.extra += extra
        if crashed { crashes += 1 }
        let outcome = (ok ? "ok" : "FAILED") + (note.isEmpty ? "" : ": " + note)
        Console.output("| " + (cells + [outcome]).map(Self.cell).joined(separator: " | ") + " |\n")
    }

    /// Records a trial that could not run here, and why.
    func skip(_ cells: [String], because reason: String) {
        skipped += 1
        Console.output("| " + (cells + ["skipped: " + reason]).map(Self.cell).joined(separator: " | ") + " |\n")
    }

    /// The closing line.
    var summary: String {
        var text = "\n\(trials) trials: \(trials - failures) passed, \(failures) failed; "
        text += "\(lost) rows lost, \(extra) rows doubled or spurious, \(crashes) crashes"
        if skipped > 0 { text += "; \(skipped) skipped" }
        if !failedNames.isEmpty { text += "\nfailed: " + failedNames.joined(separator: ", ") }
        return text + "\n"
    }

    private static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
