-- The squared-length sums of v_request_minutes as floating-point totals: each file's 64-bit
-- sums are checked at ingest, but squares of long requests summed over several files of one
-- minute can pass 2^63, and SUM() then stops the whole query with "integer overflow". TOTAL()
-- never overflows; the squares only ever feed floating-point attention costs. Counts and token
-- sums stay exact integers (SUM), which the per-request ceiling keeps far from 2^63.
DROP VIEW v_request_minutes;
CREATE VIEW v_request_minutes AS
SELECT
    strftime('%Y-%m-%dT%H:%M:00Z', rm.minute * 60, 'unixepoch') AS minute,
    rm.minute * 60000000                    AS minute_us,
    m.name                                  AS model,
    SUM(rm.requests * f.sample_rate)        AS requests,
    SUM(rm.failed * f.sample_rate)          AS failed,
    SUM(rm.prompt_tokens * f.sample_rate)   AS prompt_tokens,
    SUM(rm.cached_tokens * f.sample_rate)   AS cached_tokens,
    SUM(rm.prefill_tokens * f.sample_rate)  AS prefill_tokens,
    TOTAL(rm.prefill_sq * f.sample_rate)    AS prefill_sq,
    TOTAL(rm.prefill_cached * f.sample_rate) AS prefill_cached,
    SUM(rm.output_tokens * f.sample_rate)   AS output_tokens,
    TOTAL(rm.output_prompt * f.sample_rate) + TOTAL(rm.output_sq * f.sample_rate) / 2.0 AS output_context,
    TOTAL(rm.output_prompt * f.sample_rate) AS output_prompt,
    TOTAL(rm.output_sq * f.sample_rate)     AS output_sq
FROM request_minutes rm
JOIN models m ON m.model_id = rm.model_id
JOIN source_files f ON f.file_id = rm.file_id
GROUP BY rm.minute, rm.model_id;
