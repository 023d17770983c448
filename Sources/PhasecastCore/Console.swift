import Foundation

/// Writing to standard output and standard error.
public enum Console {
    /// Writes a line to standard error.
    public static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Writes text to standard output as it is.
    public static func output(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
