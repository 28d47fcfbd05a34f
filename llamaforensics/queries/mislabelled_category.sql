-- mislabelled_category: log rows whose category disagrees with their operation and status.
-- entity: LOG
-- severity: info
-- fix: relabel_category
-- summary: category disagrees with operation and status
--
-- What: the category the operation and status imply (status FAILED -> FAILED;
-- corrections -> CORRECTED; enrichment:*, check:*, previews, fallbacks,
-- discogs:* -> ENRICHED; cache:* -> CACHED or ENRICHED; collection:*,
-- recommendation:*, game-pool:* -> USER_ACTION; *:linked -> LINKED; everything
-- else -> CREATED), compared with the one stored.
-- Why: the rename-day backfill labelled rows by a crude pattern with a CREATED
-- catch-all; audits by category count them wrong.
-- Fix suggested: relabel_category to the expected one.
WITH implied AS (
    SELECT l.id, l.operation, l.category::VARCHAR AS category, l.status::VARCHAR AS status,
        l.created_at,
           CASE WHEN l.status = 'FAILED' THEN 'FAILED'
                WHEN l.operation IN ('admin_correction', 'manual_correction', 'MANUAL_UPDATE',
                      'MANUAL_DATA_QUALITY_UPDATE') THEN 'CORRECTED'
                WHEN l.operation LIKE 'enrichment:%' OR l.operation LIKE 'check:%'
                     OR l.operation LIKE 'discogs:%'
                     OR l.operation IN ('PREVIEW_ENRICHMENT', 'SPOTIFY_TRACK_FALLBACK',
                           'similar-artists-sync') THEN 'ENRICHED'
                WHEN l.operation LIKE 'cache:%' THEN 'ENRICHED'
                WHEN l.operation LIKE 'collection:%' OR l.operation LIKE 'recommendation:%'
                    OR l.operation LIKE 'game-pool:%' THEN 'USER_ACTION'
                WHEN l.operation LIKE '%:linked' THEN 'LINKED'
                ELSE 'CREATED' END AS expected
    FROM llama_logs l
)
SELECT id::VARCHAR AS entity_id, operation, status, category, expected, [id::VARCHAR] AS evidence
FROM implied
WHERE category <> expected
    AND NOT (operation LIKE 'cache:%' AND category = 'CACHED' AND status <> 'FAILED')
ORDER BY created_at, id
