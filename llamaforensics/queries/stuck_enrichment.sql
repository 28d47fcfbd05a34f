-- stuck_enrichment: albums whose enrichment never finished.
-- entity: ALBUM
-- severity: warning
-- fix: requeue_enrichment
-- summary: enrichment pending for too long
-- parameter: stuck_days = 7 (pending this many days after its last update)
--
-- What: live albums in enrichment_status UNENRICHED, QUEUED or IN_PROGRESS whose
-- updated_at is more than $stuck_days days before the snapshot time ($now).
-- Why: the queue lost them; they will stay half-empty until someone re-queues.
-- Fix suggested: requeue_enrichment.
SELECT a.id::VARCHAR AS entity_id, a.title, a.enrichment_status::VARCHAR AS status,
       CAST(floor((epoch_ms(CAST($now AS TIMESTAMP)) - epoch_ms(a.updated_at)) / 86400000)
            AS INTEGER) AS days,
       []::VARCHAR[] AS evidence
FROM albums a
WHERE a._lf_deleted_at IS NULL
  AND a.enrichment_status IN ('UNENRICHED', 'QUEUED', 'IN_PROGRESS')
  AND a.updated_at < CAST($now AS TIMESTAMP) - to_days(CAST($stuck_days AS INTEGER))
ORDER BY days DESC, a.id
