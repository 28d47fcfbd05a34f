-- track_count_mismatch: albums whose track_count disagrees with the tracks they really have.
-- entity: ALBUM
-- severity: warning
-- fix: set_track_count
-- summary: track_count differs from the real tracks
--
-- What: live albums with at least one live track and a non-NULL track_count
-- different from that number (trackless albums are their own finding).
-- Why: track_count is what the source claimed; a difference means tracks were
-- lost, never all fetched, or duplicated (the dev-to-prod script once re-inserted
-- tracks without updating it).
-- Fix suggested: set_track_count to the real number, or add the missing tracks.
WITH live_tracks AS (
    SELECT album_id, count(*) AS n FROM tracks WHERE _lf_deleted_at IS NULL GROUP BY album_id
)
SELECT a.id::VARCHAR AS entity_id, a.title, a.track_count AS claimed, t.n AS actual,
    []::VARCHAR[] AS evidence
FROM albums a JOIN live_tracks t ON t.album_id = a.id
WHERE a._lf_deleted_at IS NULL AND a.track_count IS NOT NULL AND a.track_count <> t.n
ORDER BY a.created_at, a.id
