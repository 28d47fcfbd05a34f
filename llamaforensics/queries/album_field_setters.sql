-- album_field_setters: every log row that set a field of one album, and the value where it says.
--
-- What: rows about the album (entity_type ALBUM) that did not fail or only
-- preview: each field named in fields_enriched (the app's camelCase names);
-- each delta of a CORRECTED row's metadata (metadata, externalIds and coverArt
-- groups: field, before, after); and the CREATED row, which set every field
-- ('*'). Oldest first.
-- Why: "who set this field, when, by which job?" is the question behind every
-- wrong value; the corrections' before/after also say what a field was before.
-- Fix suggested: none; the album's blame and as-of views read this.
WITH rows AS (
    SELECT * FROM llama_logs
    WHERE entity_type = 'ALBUM' AND (album_id = $album OR entity_id = $album)
      AND status::VARCHAR NOT IN ('FAILED', 'NO_DATA_AVAILABLE', 'SKIPPED', 'PREVIEW', 'QUEUED',
                                  'IN_PROGRESS')
),
deltas AS (
    SELECT id, unnest(from_json(coalesce(metadata->'metadata', '[]'),
                                '[{"field":"VARCHAR","before":"JSON","after":"JSON"}]')) AS d
    FROM rows WHERE category = 'CORRECTED'
    UNION ALL
    SELECT id, unnest(from_json(coalesce(metadata->'externalIds', '[]'),
                                '[{"field":"VARCHAR","before":"JSON","after":"JSON"}]'))
    FROM rows WHERE category = 'CORRECTED'
    UNION ALL
    SELECT id, from_json(metadata->'coverArt', '{"field":"VARCHAR","before":"JSON","after":"JSON"}')
    FROM rows WHERE category = 'CORRECTED' AND json_type(metadata->'coverArt') = 'OBJECT'
),
set_fields AS (
    SELECT id, d.field AS field, d.before::VARCHAR AS before, d.after::VARCHAR AS after,
           true AS says_values
    FROM deltas
    UNION ALL
    SELECT id, unnest(fields_enriched), NULL, NULL, false FROM rows
    UNION ALL
    SELECT id, '*', NULL, NULL, false FROM rows WHERE category = 'CREATED'
)
SELECT s.field, r.id::VARCHAR AS log_id, r.created_at, r.category::VARCHAR AS category, r.operation,
       r.job_id, s.before, s.after, s.says_values
FROM set_fields s JOIN rows r ON r.id = s.id
ORDER BY r.created_at, r.id, s.field, s.says_values DESC
