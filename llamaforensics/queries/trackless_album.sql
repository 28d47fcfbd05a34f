-- trackless_album: albums with no tracks at all, with the likely cause their row and logs show.
-- entity: ALBUM
-- severity: critical
-- fix: add_tracks
-- summary: albums with no tracks, with the likely cause
--
-- What: live albums with zero live tracks. The cause, decided in this order:
--   tracks_never_fetched     musicbrainz_id is set (a MusicBrainz import whose
--                            enrichment was skipped because it "already had an id")
--   never_enriched           no enrichment:album row about it at all
--   edition_suffix           the title ends with "(Deluxe)", "(10th Anniversary
--                            Edition)", "[Bonus Track Version]"...: the release-group
--                            search missed it (latest enrichment NO_DATA_AVAILABLE)
--   too_new_for_musicbrainz  from Spotify, released at most 90 days before its first
--                            enrichment, whose latest found no match
--                            (NO_DATA_AVAILABLE: MusicBrainz did not know it yet)
--   unknown                  none of the above
-- Why: a trackless album is broken for every user who opens it (SCHEMA.md: 265 once).
-- Fix suggested: add_tracks (from a manifest or a logged preview), fetch_tracks,
-- requeue_enrichment, or search MusicBrainz without the edition suffix.
WITH trackless AS (
    SELECT a.id, a.title, a.musicbrainz_id, a.source, a.release_date, a.track_count, a.created_at
    FROM albums a
    WHERE a._lf_deleted_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM tracks t WHERE t.album_id = a.id AND t._lf_deleted_at IS NULL)
), enrichment AS (
    SELECT l.album_id, list(l.id::VARCHAR ORDER BY l.created_at, l.id) AS log_ids,
        min(l.created_at) AS first_at,
           arg_max(l.status::VARCHAR, l.created_at) AS last_status
    FROM llama_logs l
    WHERE l.operation = 'enrichment:album' AND l.album_id IN (SELECT id FROM trackless)
    GROUP BY l.album_id
)
SELECT a.id::VARCHAR AS entity_id, a.title,
       CASE WHEN a.musicbrainz_id IS NOT NULL THEN 'tracks_never_fetched'
            WHEN e.album_id IS NULL THEN 'never_enriched'
            WHEN e.last_status = 'NO_DATA_AVAILABLE'
                 AND regexp_matches(a.title,
                        '(?i)[\(\[][^\)\]]*'
                        || '(deluxe|edition|anniversary|remaster|bonus|expanded|version)'
                        || '[^\)\]]*[\)\]]\s*$')
                     THEN 'edition_suffix'
            WHEN a.source = 'SPOTIFY' AND e.last_status = 'NO_DATA_AVAILABLE'
                 AND a.release_date >= CAST(e.first_at AS DATE) - INTERVAL 90 DAY
                     THEN 'too_new_for_musicbrainz'
            ELSE 'unknown' END AS cause,
       a.source::VARCHAR AS source, a.track_count AS claimed_tracks,
           coalesce(e.log_ids, []) AS evidence
FROM trackless a
LEFT JOIN enrichment e ON e.album_id = a.id
ORDER BY a.created_at, a.id
