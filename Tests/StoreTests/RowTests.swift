import Store
import Testing

@Suite struct RowTests {
    @Test func columnsAreReadByNameAndTyped() throws {
        let connection = try Connection(path: ":memory:")
        let row = try connection.queryOne("SELECT 3 AS n, 2.5 AS x, 'a' AS t, NULL AS z, 4.0 AS whole")
        #expect(try row.int("n") == 3 && row.double("n") == 3)
        #expect(try row.double("x") == 2.5 && row.text("t") == "a")
        #expect(try row.optionalInt("z") == nil && row.optionalText("z") == nil && row.optionalDouble("z") == nil)
        #expect(try row.int("whole") == 4)
    }

    @Test func schemaDriftFailsLoudlyNamingTheColumnAndTheStatement() throws {
        let connection = try Connection(path: ":memory:")
        let sql = "SELECT 1 AS present, 'text' AS label, NULL AS empty, 1.5 AS fraction"
        let row = try connection.queryOne(sql)
        let failures: [(String, () throws -> Void, String)] = [
            ("missing", { _ = try row.double("absent") }, "no column 'absent' in the result (columns: present, label"),
            ("NULL", { _ = try row.int("empty") }, "column 'empty' is NULL"),
            ("text as number", { _ = try row.double("label") }, "column 'label' holds text, expected a number"),
            ("number as text", { _ = try row.text("present") }, "column 'present' holds an integer, expected text"),
            (
                "fraction as integer", { _ = try row.int("fraction") },
                "column 'fraction' holds a real, expected an integer"
            ),
        ]
        for (label, read, message) in failures {
            do {
                try read()
                Issue.record("\(label) was read")
            } catch let error as SQLiteError {
                #expect(error.message.contains(message), "\(label): \(error.message)")
                #expect(error.sql == sql)
                #expect(error.description.contains("SELECT 1 AS present"))
                #expect(error.exitStatus == .software)
            }
        }
        #expect(throws: SQLiteError.self) { try connection.queryOne("SELECT 1 WHERE 0") }
    }

    private enum Grain: String { case hour, day }

    @Test func enumerationColumnsNameTheValueTheyDoNotKnow() throws {
        let row = try Connection(path: ":memory:").queryOne("SELECT 'day' AS good, 'week' AS bad")
        #expect(try row.value(Grain.self, "good") == .day)
        #expect(throws: SQLiteError.self) { try row.value(Grain.self, "bad") }
        do {
            _ = try row.value(Grain.self, "bad")
        } catch {
            #expect(error.message == "column 'bad' holds 'week', which is not a known Grain")
        }
    }
}
