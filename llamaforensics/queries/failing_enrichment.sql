-- failing_enrichment: albums whose enrichment keeps failing.
--
-- What: live albums with at least $min_failures enrichment:album rows of status
-- FAILED whose latest enrichment:album row is FAILED too.
-- Why: each retry costs API calls and the album stays stale; the last error says why.
-- Fix suggested: requeue_enrichment once the cause (often MusicBrainz 503s) is gone.
WITH attempts AS (
    SELECT album_id, count(*) FILTER (WHERE status = 'FAILED') AS failures,
           arg_max(status::VARCHAR, created_at) AS last_status,
           arg_max(error_message, created_at) FILTER (WHERE status = 'FAILED') AS last_error,
           list(id::VARCHAR ORDER BY created_at) FILTER (WHERE status = 'FAILED') AS evidence
    FROM llama_logs WHERE operation = 'enrichment:album' AND album_id IS NOT NULL
    GROUP BY album_id
)
SELECT a.id::VARCHAR AS entity_id, a.title, t.failures, t.last_error, t.evidence
FROM albums a JOIN attempts t ON t.album_id = a.id
WHERE a._lf_deleted_at IS NULL AND t.failures >= $min_failures AND t.last_status = 'FAILED'
ORDER BY t.failures DESC, a.id
