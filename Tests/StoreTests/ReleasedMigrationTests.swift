import PhasecastCore
import Store
import Testing

/// A migration that has been released has run on users' databases: editing it would leave
/// theirs different from a new one. Changes go in a new migration; this test holds each released
/// one to the digest (FNV-1a of its bytes) it was released with.
@Suite struct ReleasedMigrationTests {
    static let released: [Int64: String] = [
        1: "cc51dce4337ff12b", 2: "fa8ce192970aacdc", 3: "d58ad3fd924358fe", 4: "a3fce494f7c8332e",
        5: "d256816e4616af93", 6: "8e76ec177734acfd", 7: "c861f522a43f4ceb", 8: "9c87b9434ceb644c",
        9: "f92234531d23df56", 10: "d080731f7531065e", 11: "c9ddda8a9f1c5aea", 12: "51d687fbc5486c83",
        13: "935c2a9f17522ee6",
    ]

    @Test func releasedMigrationsAreNeverEdited() {
        let migrations = Migration.bundled
        #expect(migrations.map(\.version) == Array(1...Int64(migrations.count)), "migrations are numbered 1, 2, …")
        for migration in migrations {
            let digest = String(ContentHash.of(migration.sql), radix: 16)
            guard let recorded = Self.released[migration.version] else {
                Issue.record(
                    "\(migration.name) has no recorded digest: add \(migration.version): \"\(digest)\" when it is released"
                )
                continue
            }
            #expect(
                digest == recorded,
                "\(migration.name) was edited after its release: put the change in a new migration instead")
        }
    }
}
