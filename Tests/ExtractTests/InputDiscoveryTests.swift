import Foundation
import TestSupport
import Testing

@testable import Extract

@Suite struct InputDiscoveryTests {
    @Test func directoriesAreWalkedRecursivelyInSortedOrderTakingLogFiles() throws {
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.file("b/nested"), withIntermediateDirectories: true)
        dir.write("b/nested/2.jsonl.gz", "")
        dir.write("b/1.csv", "")
        dir.write("a.log", "")
        dir.write("README.md", "")
        dir.write(".hidden.csv", "")
        dir.write("notes", "")
        let files = try InputDiscovery.expand([dir.path])
        #expect(files.map(\.path) == [dir.file("a.log"), dir.file("b/1.csv"), dir.file("b/nested/2.jsonl.gz")])
    }

    @Test func filesAndStandardInputAreTakenAsNamed() throws {
        let dir = TemporaryDirectory()
        let notes = dir.write("notes", "")
        let files = try InputDiscovery.expand([notes, "-"])
        #expect(files == [InputFile(path: notes, kind: .file), InputFile(path: "-", kind: .standardInput)])
    }

    @Test func aMissingNameIsAnError() {
        #expect(throws: ExtractError.notFound(path: "/no/such/dir")) { try InputDiscovery.expand(["/no/such/dir"]) }
    }
}
