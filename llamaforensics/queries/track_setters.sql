-- track_setters: per track of one album, the log row that created it and the last row about it.
--
-- What: the album's live tracks; the earliest CREATED row about each (entity
-- TRACK with the track's id, or a row carrying its track_id); the latest row of
-- any category about it. NULL where the log has none.
-- Why: "where did this track come from, and what touched it last?" -- the
-- per-track half of an album's blame.
-- Fix suggested: none; the album's blame reads this.
WITH t AS (
    SELECT id, disc_number, track_number, title, created_at FROM tracks
    WHERE album_id = $album AND _lf_deleted_at IS NULL
),
about AS (
    SELECT coalesce(l.track_id, l.entity_id) AS track, l.id, l.created_at,
           l.category::VARCHAR AS category, l.operation, l.job_id
    FROM llama_logs l
    WHERE l.track_id IN (SELECT id FROM t)
       OR (l.entity_type = 'TRACK' AND l.entity_id IN (SELECT id FROM t))
),
first_created AS (SELECT DISTINCT ON (track) * FROM about WHERE category = 'CREATED'
                  ORDER BY track, created_at, id),
last_row AS (SELECT DISTINCT ON (track) * FROM about ORDER BY track, created_at DESC, id DESC)
SELECT t.disc_number, t.track_number, t.title, t.id::VARCHAR AS track_id,
       c.created_at AS created_logged_at, c.operation AS created_by, c.job_id AS created_job,
       c.id::VARCHAR AS created_log_id,
       l.created_at AS last_at, l.category AS last_category, l.operation AS last_operation,
       l.job_id AS last_job, l.id::VARCHAR AS last_log_id
FROM t LEFT JOIN first_created c ON c.track = t.id LEFT JOIN last_row l ON l.track = t.id
ORDER BY t.disc_number, t.track_number, t.id
