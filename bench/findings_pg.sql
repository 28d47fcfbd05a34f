-- The findings' checks written for PostgreSQL itself, on the upstream tables and indexes
-- (what an admin would run in psql). Used by bench/findings.py; one statement per check,
-- separated by lines holding only "-- check: <kind>". Each returns the flagged ids.

-- check: trackless_album
SELECT a.id FROM albums a WHERE NOT EXISTS (SELECT 1 FROM tracks t WHERE t.album_id = a.id);

-- check: track_count_mismatch
SELECT a.id FROM albums a JOIN (SELECT album_id, count(*) AS n FROM tracks GROUP BY album_id) t ON t.album_id = a.id
WHERE a.track_count IS NOT NULL AND a.track_count <> t.n;

-- check: artistless_album
SELECT a.id FROM albums a WHERE NOT EXISTS (SELECT 1 FROM album_artists aa WHERE aa.album_id = a.id);

-- check: missing_external_id
SELECT a.id FROM albums a WHERE a.musicbrainz_id IS NULL AND EXISTS (
    SELECT 1 FROM llama_logs l WHERE l.album_id = a.id AND l.operation = 'enrichment:album'
    AND l.status IN ('SUCCESS', 'PARTIAL_SUCCESS'));

-- check: no_created_log
SELECT a.id FROM albums a WHERE NOT EXISTS (
    SELECT 1 FROM llama_logs l WHERE (l.album_id = a.id OR (l.entity_type = 'ALBUM' AND l.entity_id = a.id))
    AND ((l.category = 'CREATED' AND l.entity_type = 'ALBUM')
         OR (l.category = 'USER_ACTION' AND l.metadata->>'albumCreated' = 'true')));

-- check: late_first_log
SELECT a.id FROM albums a JOIN (
    SELECT coalesce(album_id, entity_id) AS album_id, min(created_at) AS first_at FROM llama_logs
    WHERE album_id IS NOT NULL OR entity_type = 'ALBUM' GROUP BY 1) f ON f.album_id = a.id
WHERE f.first_at > a.created_at + interval '24 hours';

-- check: stuck_enrichment
SELECT a.id FROM albums a WHERE a.enrichment_status IN ('UNENRICHED', 'QUEUED', 'IN_PROGRESS')
AND a.updated_at < timestamp '2026-11-01' - interval '7 days';

-- check: failing_enrichment
SELECT album_id FROM (
    SELECT album_id, count(*) FILTER (WHERE status = 'FAILED') AS failures,
           (array_agg(status ORDER BY created_at DESC))[1] AS last_status
    FROM llama_logs WHERE operation = 'enrichment:album' AND album_id IS NOT NULL GROUP BY album_id) x
WHERE failures >= 3 AND last_status = 'FAILED';

-- check: duplicate_album
WITH norm AS (
    SELECT a.id, a.discogs_id, trim(regexp_replace(lower(a.title), '[^[:alnum:]]+', ' ', 'g')) AS key_title,
           (SELECT aa.artist_id FROM album_artists aa WHERE aa.album_id = a.id AND aa.role = 'primary'
            AND aa.position = 0 ORDER BY aa.artist_id LIMIT 1) AS artist_id
    FROM albums a)
SELECT unnest(array_agg(id)) FROM norm WHERE key_title <> '' AND artist_id IS NOT NULL
GROUP BY key_title, artist_id HAVING count(*) > 1
UNION
SELECT unnest(array_agg(id)) FROM norm WHERE discogs_id IS NOT NULL GROUP BY discogs_id HAVING count(*) > 1;

-- check: job_chains
WITH RECURSIVE jobs AS MATERIALIZED (
    SELECT DISTINCT ON (job_id) job_id, parent_job_id FROM llama_logs WHERE job_id IS NOT NULL
    ORDER BY job_id, parent_job_id NULLS LAST
), up(job_id, cur, parent, depth) AS (
    SELECT job_id, job_id, parent_job_id, 0 FROM jobs
    UNION ALL
    SELECT u.job_id, j.job_id, j.parent_job_id, u.depth + 1 FROM up u JOIN jobs j ON j.job_id = u.parent
) CYCLE cur SET looped USING path,
tops AS (SELECT DISTINCT ON (job_id) job_id, cur AS root, looped FROM up ORDER BY job_id, depth DESC)
SELECT l.id FROM llama_logs l JOIN tops t ON t.job_id = l.job_id
WHERE t.looped OR l.root_job_id IS NULL OR l.root_job_id <> t.root
   OR (l.parent_job_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.job_id = l.parent_job_id));

-- check: dangling_entity_id
SELECT l.id FROM llama_logs l WHERE l.entity_id IS NOT NULL AND l.entity_type IS NOT NULL
AND NOT EXISTS (SELECT 1 FROM albums x WHERE l.entity_type = 'ALBUM' AND x.id = l.entity_id)
AND NOT EXISTS (SELECT 1 FROM tracks x WHERE l.entity_type = 'TRACK' AND x.id = l.entity_id)
AND NOT EXISTS (SELECT 1 FROM artists x WHERE l.entity_type = 'ARTIST' AND x.id = l.entity_id);

-- check: mislabelled_category
SELECT id FROM (
    SELECT id, operation, category::text AS category, status,
           CASE WHEN status = 'FAILED' THEN 'FAILED'
                WHEN operation IN ('admin_correction', 'manual_correction', 'MANUAL_UPDATE', 'MANUAL_DATA_QUALITY_UPDATE') THEN 'CORRECTED'
                WHEN operation LIKE 'enrichment:%' OR operation LIKE 'check:%' OR operation LIKE 'discogs:%'
                     OR operation IN ('PREVIEW_ENRICHMENT', 'SPOTIFY_TRACK_FALLBACK', 'similar-artists-sync') THEN 'ENRICHED'
                WHEN operation LIKE 'cache:%' THEN 'ENRICHED'
                WHEN operation LIKE 'collection:%' OR operation LIKE 'recommendation:%' OR operation LIKE 'game-pool:%' THEN 'USER_ACTION'
                WHEN operation LIKE '%:linked' THEN 'LINKED'
                ELSE 'CREATED' END AS expected
    FROM llama_logs) x
WHERE category <> expected AND NOT (operation LIKE 'cache:%' AND category = 'CACHED' AND status <> 'FAILED');
