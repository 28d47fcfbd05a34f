-- trackless_album: albums with no tracks at all, with the likely root cause read from their own row and logs.
--
-- What: live albums with zero live tracks. The cause, decided in this order:
--   tracks_never_fetched     musicbrainz_id is set (a MusicBrainz import whose
--                            enrichment was skipped because it "already had an id")
--   never_enriched           no enrichment:album row about it at all
--   edition_suffix           the title ends with "(Deluxe)", "(10th Anniversary
--                            Edition)", "[Bonus Track Version]"...: the release-group
--                            search missed it
--   too_new_for_musicbrainz  from Spotify, released shortly before its enrichment,
--                            which found no match (MusicBrainz did not know it yet)
--   unknown                  none of the above
-- Why: a trackless album is broken for every user who opens it (SCHEMA.md: 265 once).
-- Fix suggested: add_tracks (from a manifest or a logged preview), fetch_tracks,
-- requeue_enrichment, or search MusicBrainz without the edition suffix.
WITH live_tracks AS (
    SELECT album_id, count(*) AS n FROM tracks WHERE _lf_deleted_at IS NULL GROUP BY album_id
), enrichment AS (
    SELECT album_id, list(id::VARCHAR ORDER BY created_at) AS log_ids, min(created_at) AS first_at,
           arg_max(status::VARCHAR, created_at) AS last_status
    FROM llama_logs WHERE operation = 'enrichment:album' AND album_id IS NOT NULL GROUP BY album_id
)
SELECT a.id::VARCHAR AS entity_id, a.title,
       CASE WHEN a.musicbrainz_id IS NOT NULL THEN 'tracks_never_fetched'
            WHEN e.album_id IS NULL THEN 'never_enriched'
            WHEN regexp_matches(a.title, '(?i)[\(\[][^\)\]]*(deluxe|edition|anniversary|remaster|bonus|expanded|version)[^\)\]]*[\)\]]\s*$') THEN 'edition_suffix'
            WHEN a.source = 'SPOTIFY' AND e.last_status = 'NO_DATA_AVAILABLE'
                 AND a.release_date >= CAST(e.first_at AS DATE) - INTERVAL 90 DAY THEN 'too_new_for_musicbrainz'
            ELSE 'unknown' END AS cause,
       a.source::VARCHAR AS source, a.track_count AS claimed_tracks, coalesce(e.log_ids, []) AS evidence
FROM albums a
LEFT JOIN live_tracks t ON t.album_id = a.id
LEFT JOIN enrichment e ON e.album_id = a.id
WHERE a._lf_deleted_at IS NULL AND coalesce(t.n, 0) = 0
ORDER BY a.created_at, a.id
