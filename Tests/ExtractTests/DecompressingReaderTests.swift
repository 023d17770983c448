import Foundation
import TestSupport
import Testing

@testable import Extract

@Suite struct DecompressingReaderTests {
    /// Reads a whole file through the reader, in small pieces to cross buffer boundaries.
    func readAll(_ path: String, piece: Int = 4096) throws(ExtractError) -> (text: String, reader: DecompressingReader)
    {
        let reader = DecompressingReader(source: try ByteSource(path: path), inputBufferSize: 1000)
        var bytes: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: piece, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let count = try reader.read(into: buffer)
            if count == 0 { break }
            bytes += buffer[0..<count]
        }
        return (String(decoding: bytes, as: UTF8.self), reader)
    }

    static let sample = (1...2000).map { "line \($0),\($0 * 7)\n" }.joined()

    @Test func plainTextPassesThroughUnchanged() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("plain.gz", Self.sample)  // named .gz, but not gzip: content decides
        let (text, reader) = try readAll(path)
        #expect(text == Self.sample)
        #expect(!reader.isCompressed)
        #expect(reader.rawFingerprint.text == reader.contentFingerprint.text)
    }

    @Test func gzipIsInflatedWhateverItsName() throws {
        let dir = TemporaryDirectory()
        let path = dir.writeGzip("log.csv", members: [Self.sample])
        let (text, reader) = try readAll(path)
        #expect(text == Self.sample)
        #expect(reader.isCompressed)
        #expect(reader.membersRead == 1)
        // The content fingerprint is that of the plain text.
        let plain = dir.write("plain.csv", Self.sample)
        #expect(try readAll(plain).reader.contentFingerprint.text == reader.contentFingerprint.text)
    }

    @Test func everyMemberOfAConcatenatedStreamIsRead() throws {
        let dir = TemporaryDirectory()
        let path = dir.writeGzip("multi.gz", members: ["a,1\nb,2\n", "c,3\n", "d,4\n"])
        let (text, reader) = try readAll(path, piece: 3)
        #expect(text == "a,1\nb,2\nc,3\nd,4\n")
        #expect(reader.membersRead == 3)
    }

    @Test func membersWithoutAFinalLineBreakStaySeparateLines() throws {
        let dir = TemporaryDirectory()
        let path = dir.writeGzip("multi.gz", members: ["a,1\nb,2", "c,3", "d,4\n"])
        #expect(try readAll(path).text == "a,1\nb,2\nc,3\nd,4\n")
    }

    @Test func zeroPaddingAfterTheLastMemberIsIgnored() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("padded.gz", bytes: Gzip.compress("x\n") + [UInt8](repeating: 0, count: 300))
        #expect(try readAll(path).text == "x\n")
    }

    @Test func aTruncatedStreamIsAnErrorWithItsOffset() throws {
        let dir = TemporaryDirectory()
        let whole = Gzip.compress(Self.sample)
        let path = dir.write("cut.gz", bytes: Array(whole.prefix(whole.count / 2)))
        #expect(throws: ExtractError.truncated(path: path, offset: Int64(whole.count / 2))) {
            _ = try readAll(path)
        }
    }

    @Test func corruptDataIsAnErrorThatNamesTheFile() throws {
        let dir = TemporaryDirectory()
        var bytes = Gzip.compress(Self.sample)
        for i in 20..<60 { bytes[i] ^= 0x5A }
        let path = dir.write("bad.gz", bytes: bytes)
        do {
            _ = try readAll(path)
            Issue.record("corrupt gzip was read without an error")
        } catch {
            guard case .corrupt(let errorPath, let offset, _) = error else {
                Issue.record("expected .corrupt, got \(error)")
                return
            }
            #expect(errorPath == path)
            #expect(offset > 0 && offset <= Int64(bytes.count))
            #expect(error.description.contains("bad.gz"))
        }
    }

    @Test func dataAfterAMemberThatIsNotGzipIsAnError() throws {
        let dir = TemporaryDirectory()
        let member = Gzip.compress("x\n")
        let path = dir.write("trailing.gz", bytes: member + Array("garbage".utf8))
        #expect(throws: ExtractError.trailingData(path: path, offset: Int64(member.count))) {
            _ = try readAll(path)
        }
    }

    @Test func emptyAndOneByteFilesAreReadAsPlain() throws {
        let dir = TemporaryDirectory()
        #expect(try readAll(dir.write("empty", "")).text == "")
        #expect(try readAll(dir.write("one", "\u{1F}")).text == "\u{1F}")
    }

    @Test func aMissingFileIsNotFound() {
        #expect(throws: ExtractError.notFound(path: "/nonexistent/x.gz")) {
            _ = try ByteSource(path: "/nonexistent/x.gz")
        }
    }
}
