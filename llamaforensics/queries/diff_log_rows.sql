-- diff_log_rows: llama_logs rows new, changed and vanished between two snapshots, per album.
--
-- What: rows in the newer snapshot (n) the older (o) did not have: new; rows
-- in both whose stored values differ ($changed_condition, built from the
-- table's columns): changed; rows live in the older and gone or marked deleted
-- in the newer: vanished. Each row counts for the album it is about (album_id,
-- else entity_id of an ALBUM row); rows about no album are counted under NULL.
-- Why: a repair session, a sync or a cascade delete shows in the log first;
-- the catalog diff alone misses the rows written and the history lost.
-- Fix suggested: none; a diff only reports.
WITH o_rows AS (SELECT * FROM o.llama_logs),
n_rows AS (SELECT * FROM n.llama_logs),
new AS (SELECT b.* FROM n_rows b ANTI JOIN o_rows a ON a.id = b.id),
changed AS (SELECT b.* FROM n_rows b JOIN o_rows a ON a.id = b.id WHERE {changed_condition}),
vanished AS (SELECT a.* FROM o_rows a LEFT JOIN n_rows b ON b.id = a.id
             WHERE a._lf_deleted_at IS NULL AND (b.id IS NULL OR b._lf_deleted_at IS NOT NULL)),
rows AS (SELECT 'new' AS change, album_id, entity_id, entity_type, category FROM new
         UNION ALL SELECT 'changed', album_id, entity_id, entity_type, category FROM changed
         UNION ALL SELECT 'vanished', album_id, entity_id, entity_type, category FROM vanished)
SELECT coalesce(album_id, CASE WHEN entity_type = 'ALBUM' THEN entity_id END)::VARCHAR AS album_id,
       count(*) FILTER (WHERE change = 'new') AS new,
       count(*) FILTER (WHERE change = 'changed') AS changed,
       count(*) FILTER (WHERE change = 'vanished') AS vanished,
       list(DISTINCT category::VARCHAR ORDER BY category::VARCHAR) AS categories
FROM rows
GROUP BY ALL
ORDER BY album_id NULLS LAST
