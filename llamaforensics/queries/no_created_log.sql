-- no_created_log: albums whose creation no log row records (unknown origin).
-- entity: ALBUM
-- severity: info
-- fix: none
-- summary: no log row records the album's creation
--
-- What: live albums with no row of entity_type ALBUM and category CREATED about
-- them (album_id or entity_id; track rows carry album_id too and do not count),
-- and no USER_ACTION row about them with metadata.albumCreated = true (the
-- collection and recommendation paths log only that).
-- Why: "how did this album get here?" has no answer from the log.
-- Fix suggested: none automatic; the dossier shows what the log does know.
WITH creation_rows AS (
    SELECT album_id, CASE WHEN entity_type = 'ALBUM' THEN entity_id END AS entity_id
    FROM llama_logs
    WHERE (category = 'CREATED' AND entity_type = 'ALBUM')
       OR (category = 'USER_ACTION' AND (metadata->>'albumCreated') = 'true')
), recorded AS (
    SELECT album_id AS id FROM creation_rows WHERE album_id IS NOT NULL
    UNION
    SELECT entity_id FROM creation_rows WHERE entity_id IS NOT NULL
)
SELECT a.id::VARCHAR AS entity_id, a.title, a.created_at AS album_created_at,
    []::VARCHAR[] AS evidence
FROM albums a ANTI JOIN recorded r ON r.id = a.id
WHERE a._lf_deleted_at IS NULL
ORDER BY a.created_at, a.id
