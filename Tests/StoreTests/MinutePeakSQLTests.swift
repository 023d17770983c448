import PhasecastCore
import Testing

@testable import Store

@Suite struct MinutePeakSQLTests {
    /// Rows of the same minute (two files, two models) add up before the largest is taken, and
    /// an hour that starts at :30 UTC (a +05:30 time zone) still has 60 distinct slots.
    @Test func peaksAddEachMinutesRowsAndCountDistinctMinutes() throws {
        let db = try Connection(path: ":memory:")
        try db.execute(
            """
            CREATE TABLE m (hour INTEGER, minute INTEGER, tokens INTEGER);
            INSERT INTO m VALUES (1, 90, 5), (1, 90, 7), (1, 91, 10), (1, 149, 3), (1, 149, 3), (1, 149, 3),
                (2, 150, 4), (2, 150, NULL), (2, NULL, 8);
            """)
        let rows = try db.rows(
            """
            SELECT hour, phasecast_minute_peak(minute, tokens), phasecast_minute_count(minute)
            FROM m GROUP BY hour ORDER BY hour
            """)
        #expect(rows == [[1, 12, 3], [2, 4, 1]])
        // Minutes 30 ... 89 (one hour of a +05:30 zone) each get their own slot.
        try db.execute("DELETE FROM m")
        for minute in 30..<90 { try db.run("INSERT INTO m VALUES (0, ?, ?)", [.integer(Int64(minute)), .integer(1)]) }
        try db.run("INSERT INTO m VALUES (0, 89, 100)")
        #expect(
            try db.rows("SELECT phasecast_minute_peak(minute, tokens), phasecast_minute_count(minute) FROM m") == [
                [101, 60]
            ])
        // Minutes before 1970 fall in slots too; no rows at all gives NULL and 0.
        #expect(try db.rows("SELECT phasecast_minute_peak(-61, 2), phasecast_minute_count(-61)") == [[2, 1]])
        #expect(
            try db.rows("SELECT phasecast_minute_peak(minute, tokens), phasecast_minute_count(minute) FROM m WHERE 0")
                == [[nil, 0]])
    }

    /// The peaks of the year's rollups equal those of grouping per minute first, the way the
    /// hourly model computed them before: checked on random minutes of random groups.
    @Test func peaksEqualAGroupingPerMinuteFirst() throws {
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE m (hour INTEGER, minute INTEGER, tokens INTEGER)")
        var generator = SplitMix64(seed: 3)
        for _ in 0..<3000 {
            let hour = Int64(generator.next() % 40)
            let minute = hour * 60 + Int64(generator.next() % 60)
            try db.run(
                "INSERT INTO m VALUES (?, ?, ?)",
                [.integer(hour), .integer(minute), .integer(Int64(generator.next() % 1000))])
        }
        let custom = try db.rows(
            "SELECT hour, phasecast_minute_peak(minute, tokens), phasecast_minute_count(minute) FROM m GROUP BY hour ORDER BY hour"
        )
        let plain = try db.rows(
            """
            SELECT hour, MAX(tokens), COUNT(*) FROM (SELECT hour, minute, SUM(tokens) AS tokens FROM m GROUP BY minute)
            GROUP BY hour ORDER BY hour
            """)
        #expect(custom == plain)
        #expect(custom.count == 40)
    }
}
