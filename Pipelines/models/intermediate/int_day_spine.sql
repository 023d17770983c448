-- int_day_spine: every day from the first minute with traffic to the last, each with the share
-- of it inside that span (the first and last days are partial; days without traffic are whole).
-- grain: one row per day of the observed span
-- materialized: table
-- depends_on:
-- test coverage is a share: SELECT day, coverage FROM int_day_spine WHERE coverage <= 0 OR coverage > 1 LIMIT 5
-- test no gaps: SELECT COUNT(*) AS days, MAX(day) - MIN(day) + 1 AS span FROM int_day_spine HAVING COUNT(*) > 0 AND COUNT(*) <> MAX(day) - MIN(day) + 1
WITH RECURSIVE bounds AS (
    -- Two subqueries, not MIN and MAX in one: each alone is one probe of the minute index.
    SELECT (SELECT MIN(minute) FROM request_minutes) + {{utc_offset_minutes}} AS first,
        (SELECT MAX(minute) FROM request_minutes) + {{utc_offset_minutes}} AS last
),
days(day) AS (
    SELECT first / 1440 FROM bounds WHERE first IS NOT NULL
    UNION ALL
    SELECT day + 1 FROM days, bounds WHERE day + 1 <= last / 1440
)
SELECT
    day,
    (MIN((day + 1) * 1440, last + 1) - MAX(day * 1440, first)) / 1440.0 AS coverage
FROM days, bounds
