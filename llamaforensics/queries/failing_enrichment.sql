-- failing_enrichment: albums whose enrichment keeps failing.
-- entity: ALBUM
-- severity: warning
-- fix: requeue_enrichment
-- summary: enrichment failing again and again
-- parameter: min_failures = 3 (at least this many FAILED enrichment rows)
--
-- What: live albums with at least $min_failures enrichment:album rows of status
-- FAILED whose latest enrichment:album row is FAILED too (every row at the
-- latest time, if several share it). The counts come first; the evidence (the
-- FAILED rows) and the last error only for the albums that qualify.
-- Why: each retry costs API calls and the album stays stale; the last error says why.
-- Fix suggested: requeue_enrichment once the cause (often MusicBrainz 503s) is gone.
WITH attempts AS (
    SELECT album_id, count(*) FILTER (WHERE status = 'FAILED') AS failures,
        max(created_at) AS last_at
    FROM llama_logs WHERE operation = 'enrichment:album' AND album_id IS NOT NULL
    GROUP BY album_id
    HAVING count(*) FILTER (WHERE status = 'FAILED') >= $min_failures
), failing AS (
    SELECT t.album_id, t.failures,
           list(l.id::VARCHAR ORDER BY l.created_at, l.id)
               FILTER (WHERE l.status = 'FAILED') AS evidence,
           arg_max(l.error_message, l.created_at) FILTER (WHERE l.status = 'FAILED') AS last_error,
           bool_or(l.status = 'FAILED' AND l.created_at = t.last_at)
               AND NOT bool_or(l.status <> 'FAILED' AND l.created_at = t.last_at) AS last_failed
    FROM attempts t JOIN llama_logs l ON l.album_id = t.album_id
        AND l.operation = 'enrichment:album'
    GROUP BY t.album_id, t.failures
)
SELECT a.id::VARCHAR AS entity_id, a.title, f.failures, f.last_error, f.evidence
FROM albums a JOIN failing f ON f.album_id = a.id
WHERE a._lf_deleted_at IS NULL AND f.last_failed
ORDER BY f.failures DESC, a.id
