-- late_first_log: albums whose first log row comes long after the album row was created.
-- entity: ALBUM
-- severity: info
-- fix: none
-- summary: the first log row comes long after created_at
-- parameter: late_hours = 24 (the first log row this many hours after created_at)
--
-- What: live albums whose earliest log row about them (album_id, or entity_type
-- ALBUM and entity_id) is more than $late_hours hours after albums.created_at.
-- Rows this workbench's repairs wrote (triggered_by llamaforensics) do not count:
-- a repair of an album never logged before is not when the app first logged it.
-- Why: the album existed unlogged for a while: inserted by a script, imported
-- before the log existed, or created_at set from the source's own date.
-- Fix suggested: none automatic; evidence is the first row.
WITH first_rows AS (
    SELECT coalesce(album_id, entity_id) AS album_id, min(created_at) AS first_at,
           arg_min(id::VARCHAR, created_at) AS first_id
    FROM llama_logs
    WHERE (album_id IS NOT NULL OR entity_type = 'ALBUM')
      AND coalesce(triggered_by, '') <> 'llamaforensics'  -- our repairs: not the app's history
    GROUP BY 1
)
SELECT a.id::VARCHAR AS entity_id, a.title,
       round((epoch_ms(f.first_at) - epoch_ms(a.created_at)) / 3600000.0, 1) AS hours,
           [f.first_id] AS evidence
FROM albums a JOIN first_rows f ON f.album_id = a.id
WHERE a._lf_deleted_at IS NULL AND f.first_at > a.created_at + to_hours(CAST($late_hours AS BIGINT))
ORDER BY hours DESC, a.id
