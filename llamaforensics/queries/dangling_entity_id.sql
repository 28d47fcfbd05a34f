-- dangling_entity_id: log rows whose entity_id points at nothing.
-- entity: LOG
-- severity: warning
-- fix: none
-- summary: entity_id points at nothing
--
-- What: rows with an entity_id and entity_type whose table (albums, tracks,
-- artists) has no live row with that id. entity_id has no foreign key, so
-- nothing stops this; the FK columns (album_id, ...) would have cascaded.
-- Why: the row's history is orphaned: an entity deleted without its log, or a
-- writer that logged the wrong id.
-- Fix suggested: none automatic; the snapshot may still hold the deleted entity.
WITH live AS (
    SELECT 'ALBUM' AS entity_type, id FROM albums WHERE _lf_deleted_at IS NULL
    UNION ALL SELECT 'TRACK', id FROM tracks WHERE _lf_deleted_at IS NULL
    UNION ALL SELECT 'ARTIST', id FROM artists WHERE _lf_deleted_at IS NULL
)
SELECT l.id::VARCHAR AS entity_id, l.entity_type::VARCHAR AS pointed_type,
    l.entity_id::VARCHAR AS pointed_id,
       l.operation, [l.id::VARCHAR] AS evidence
FROM llama_logs l
ANTI JOIN live ON live.entity_type = l.entity_type::VARCHAR AND live.id = l.entity_id
WHERE l.entity_id IS NOT NULL AND l.entity_type IS NOT NULL
ORDER BY l.created_at, l.id
