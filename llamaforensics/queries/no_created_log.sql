-- no_created_log: albums whose creation no log row records (unknown origin).
--
-- What: live albums with no row of entity_type ALBUM and category CREATED about
-- them (album_id or entity_id; track rows carry album_id too and do not count),
-- and no USER_ACTION row about them with metadata.albumCreated = true (the
-- collection and recommendation paths log only that).
-- Why: "how did this album get here?" has no answer from the log.
-- Fix suggested: none automatic; the dossier shows what the log does know.
SELECT a.id::VARCHAR AS entity_id, a.title, a.created_at AS album_created_at, []::VARCHAR[] AS evidence
FROM albums a
WHERE a._lf_deleted_at IS NULL
  AND NOT EXISTS (
      SELECT 1 FROM llama_logs l
      WHERE (l.album_id = a.id OR (l.entity_type = 'ALBUM' AND l.entity_id = a.id))
        AND ((l.category = 'CREATED' AND l.entity_type = 'ALBUM')
             OR (l.category = 'USER_ACTION' AND (l.metadata->>'albumCreated') = 'true')))
ORDER BY a.created_at, a.id
