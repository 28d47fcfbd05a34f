-- missing_external_id: albums without a musicbrainz_id although an enrichment claims it succeeded.
-- entity: ALBUM
-- severity: warning
-- fix: set_external_id
-- summary: no musicbrainz_id after a successful enrichment
--
-- What: live albums whose musicbrainz_id is NULL while an enrichment:album row
-- about them has status SUCCESS or PARTIAL_SUCCESS. The latest such row's
-- metadata.musicbrainzId is the id that was found and never stored. Per source.
-- Why: without the id the album cannot be re-enriched, linked or de-duplicated.
-- Fix suggested: set_external_id to the logged id (high confidence when logged).
WITH claims AS (
    SELECT album_id, list(id::VARCHAR ORDER BY created_at) AS evidence,
           arg_max(metadata->>'musicbrainzId', created_at) AS logged_musicbrainz_id
    FROM llama_logs
    WHERE operation = 'enrichment:album' AND status IN ('SUCCESS', 'PARTIAL_SUCCESS')
      AND album_id IN (SELECT id FROM albums WHERE musicbrainz_id IS NULL
            AND _lf_deleted_at IS NULL)
    GROUP BY album_id
)
SELECT a.id::VARCHAR AS entity_id, a.title, a.source::VARCHAR AS source, c.logged_musicbrainz_id,
    c.evidence
FROM albums a JOIN claims c ON c.album_id = a.id
WHERE a._lf_deleted_at IS NULL AND a.musicbrainz_id IS NULL
ORDER BY a.source, a.created_at, a.id
