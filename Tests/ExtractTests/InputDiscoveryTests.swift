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

    /// The Kubernetes /var/log/containers layout: links to files elsewhere; and a log folder
    /// mounted through a link. Both were skipped without a word.
    @Test func linksToFilesAndDirectoriesAreFollowedAndALoopIsWalkedOnce() throws {
        let dir = TemporaryDirectory()
        let manager = FileManager.default
        try manager.createDirectory(atPath: dir.file("pods/a"), withIntermediateDirectories: true)
        dir.write("pods/a/0.log", "x")
        try manager.createDirectory(atPath: dir.file("containers"), withIntermediateDirectories: true)
        try manager.createSymbolicLink(
            atPath: dir.file("containers/a.log"), withDestinationPath: dir.file("pods/a/0.log"))
        try manager.createSymbolicLink(atPath: dir.file("containers/loop"), withDestinationPath: dir.file("containers"))
        try manager.createSymbolicLink(atPath: dir.file("mounted"), withDestinationPath: dir.file("containers"))
        let found = try InputDiscovery.discover([dir.file("mounted")])
        #expect(found.files.map(\.path) == [dir.file("mounted/a.log")])
        #expect(found.problems.isEmpty)
        // The loop is named, not passed over without a word.
        #expect(found.passedOver.map(\.path) == [dir.file("mounted/loop")])
        #expect(found.passedOver.first?.reason.contains("loop") == true)
    }

    @Test func entriesThatCannotBeReadAreReportedAndNonRegularInputsRefused() throws {
        let dir = TemporaryDirectory()
        try FileManager.default.createSymbolicLink(
            atPath: dir.file("gone.jsonl"), withDestinationPath: dir.file("nowhere"))
        dir.write("ok.csv", "")
        let found = try InputDiscovery.discover([dir.path])
        #expect(found.files.map(\.path) == [dir.file("ok.csv")])
        #expect(
            found.problems.map(\.description) == ["\(dir.file("gone.jsonl")): cannot read: No such file or directory"])
        // A FIFO named as an input would block the reader forever.
        let fifo = dir.file("stream.jsonl")
        #expect(mkfifo(fifo, 0o600) == 0)
        let named = try InputDiscovery.discover([fifo])
        #expect(named.files.isEmpty)
        #expect(named.problems.first?.description.contains("not a regular file") == true)
    }
}
