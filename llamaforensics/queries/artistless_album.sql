-- artistless_album: albums with no artist linked at all.
--
-- What: live albums with no live album_artists row.
-- Why: the album shows no artist anywhere in the app, and search by artist misses it.
-- Fix suggested: link_artist (an existing artist, or one created from the album's
-- source data); the creation log row names the sync that lost the link.
SELECT a.id::VARCHAR AS entity_id, a.title, a.source::VARCHAR AS source,
       coalesce((SELECT list(l.id::VARCHAR ORDER BY l.created_at) FROM llama_logs l
                 WHERE l.album_id = a.id AND l.category = 'CREATED' AND l.entity_type = 'ALBUM'), []) AS evidence
FROM albums a
WHERE a._lf_deleted_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM album_artists aa WHERE aa.album_id = a.id AND aa._lf_deleted_at IS NULL)
ORDER BY a.created_at, a.id
