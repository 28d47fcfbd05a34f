-- impossible_log_time: log rows written at a time that cannot be true.
-- entity: LOG
-- severity: warning
-- fix: none
-- summary: created_at is infinite, before 2000 or after the snapshot
-- needs: pg_text
--
-- What: rows whose created_at is infinite, before 2000-01-01 (before the app
-- and every API it logs), or more than a day after the snapshot was taken
-- ($now). PostgreSQL holds times from 4713 BC to 294276 AD and infinity; the
-- snapshot keeps each exactly (snapshot/extremes.py: a time DuckDB cannot hold
-- is stored as infinity with PostgreSQL's own text in _lf_pg_text), and
-- shown_at is the time as PostgreSQL prints it.
-- Why: a clock reset to the epoch, a date parsed wrongly, a row written by hand
-- or tampered with: every timeline, time window and "what happened first"
-- question puts such a row in the wrong place, and the time itself is evidence.
-- Fix suggested: none automatic: a person finds out what wrote the row.
SELECT l.id::VARCHAR AS entity_id,
       coalesce(p.pg_text, CASE WHEN contains(l.created_at::VARCHAR, ' (BC)')
                                THEN replace(l.created_at::VARCHAR, ' (BC)', '') || ' BC'
                                ELSE l.created_at::VARCHAR END) AS shown_at,
       l.job_id, l.operation, [l.id::VARCHAR] AS evidence
FROM llama_logs l
LEFT JOIN _lf_pg_text p
       ON p.table_name = 'llama_logs' AND p.column_name = 'created_at' AND p.row_key = l.id::VARCHAR
WHERE NOT isfinite(l.created_at) OR l.created_at < TIMESTAMP '2000-01-01'
   OR l.created_at > $now + INTERVAL 1 DAY
ORDER BY l.created_at, l.id
