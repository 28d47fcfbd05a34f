-- finding_origins: where each finding came from, so findings with one origin can be fixed together.
--
-- What: for each album finding, the row that created the album (its earliest
-- CREATED log row about it; else the album's own source and created_at); for
-- each log-row finding, that row itself. Returned per entity: the job, the
-- sync batch (the parent job of that row), the first source and the day.
-- Why: findings cluster -- one sync batch that skipped the track fetch, one
-- job that never set root_job_id, one source that sends no ids -- and one fix
-- aimed at the origin closes the whole group.
-- Fix suggested: the one of the group's kind, applied to the whole group.
WITH wanted_albums AS (SELECT unnest($albums::UUID[]) AS id),
wanted_logs AS (SELECT unnest($logs::UUID[]) AS id),
creations AS (
    SELECT coalesce(l.album_id, l.entity_id) AS album_id, l.job_id, l.parent_job_id, l.sources,
           l.created_at,
           row_number() OVER (PARTITION BY coalesce(l.album_id, l.entity_id)
                              ORDER BY l.created_at, l.id) AS nth
    FROM llama_logs l
    WHERE l.category = 'CREATED' AND l.entity_type = 'ALBUM'
      AND coalesce(l.album_id, l.entity_id) IN (SELECT id FROM wanted_albums)
)
SELECT 'ALBUM' AS entity_type, a.id::VARCHAR AS entity_id, c.job_id, c.parent_job_id AS batch,
       coalesce(c.sources[1], a.source::VARCHAR) AS source,
       coalesce(c.created_at, a.created_at)::DATE AS day
FROM albums a JOIN wanted_albums w ON w.id = a.id
LEFT JOIN creations c ON c.album_id = a.id AND c.nth = 1
UNION ALL
SELECT 'LOG', l.id::VARCHAR, l.job_id, l.parent_job_id, l.sources[1], l.created_at::DATE
FROM llama_logs l JOIN wanted_logs w ON w.id = l.id
