-- artistless_album: albums with no artist linked at all.
-- entity: ALBUM
-- severity: critical
-- fix: link_artist
-- summary: albums with no artist linked
--
-- What: live albums with no live album_artists row.
-- Why: the album shows no artist anywhere in the app, and search by artist misses it.
-- Fix suggested: link_artist (an existing artist, or one created from the album's
-- source data); the creation log row names the sync that lost the link.
WITH artistless AS (
    SELECT a.id, a.title, a.source, a.created_at
    FROM albums a
    WHERE a._lf_deleted_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM album_artists aa WHERE aa.album_id = a.id
            AND aa._lf_deleted_at IS NULL)
), creation AS (
    SELECT album_id, list(id::VARCHAR ORDER BY created_at, id) AS evidence
    FROM llama_logs
    WHERE category = 'CREATED' AND entity_type = 'ALBUM' AND album_id IN (SELECT id FROM artistless)
    GROUP BY album_id
)
SELECT a.id::VARCHAR AS entity_id, a.title, a.source::VARCHAR AS source,
    coalesce(c.evidence, []) AS evidence
FROM artistless a LEFT JOIN creation c ON c.album_id = a.id
ORDER BY a.created_at, a.id
