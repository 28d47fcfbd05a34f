-- diff_artist_links: artist links (album_artists) made and removed between two snapshots.
--
-- What: links live in the newer snapshot (n) and not in the older (o): linked;
-- live in the older and not in the newer: unlinked; both by (album, artist,
-- role), with the artists' names, for albums live in the newer snapshot.
-- Why: link_artist repairs, merges and the app's own syncs change who an album
-- is by; the field and track diff alone does not show it.
-- Fix suggested: none; a diff only reports.
WITH o_l AS (SELECT album_id, artist_id, role FROM o.album_artists WHERE _lf_deleted_at IS NULL),
n_l AS (SELECT album_id, artist_id, role FROM n.album_artists WHERE _lf_deleted_at IS NULL),
linked AS (SELECT * FROM n_l EXCEPT SELECT * FROM o_l),
unlinked AS (SELECT * FROM o_l EXCEPT SELECT * FROM n_l),
changes AS (SELECT *, 'linked' AS change FROM linked UNION ALL SELECT *, 'unlinked' FROM unlinked)
SELECT c.album_id::VARCHAR AS album_id,
       count(*) FILTER (WHERE change = 'linked') AS linked,
       count(*) FILTER (WHERE change = 'unlinked') AS unlinked,
       coalesce(list(coalesce(ar.name, c.artist_id::VARCHAR) ORDER BY ar.name)
                FILTER (WHERE change = 'linked'), []) AS linked_artists,
       coalesce(list(coalesce(ar.name, c.artist_id::VARCHAR) ORDER BY ar.name)
                FILTER (WHERE change = 'unlinked'), []) AS unlinked_artists
FROM changes c
LEFT JOIN (SELECT id, name FROM n.artists UNION SELECT id, name FROM o.artists) ar
       ON ar.id = c.artist_id
GROUP BY c.album_id
ORDER BY album_id
