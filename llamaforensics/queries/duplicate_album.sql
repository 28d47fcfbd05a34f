-- duplicate_album: the same release in the catalog twice, grouped, with the album to keep.
-- entity: ALBUM
-- severity: warning
-- fix: merge_duplicate
-- summary: the same release twice; groups with a survivor
--
-- What: live albums sharing a normalised title (lower case, accents stripped,
-- anything but letters and digits of any script removed) and the same primary
-- artist (album_artists role 'primary', position 0), or sharing a discogs_id.
-- (musicbrainz, spotify and deezer ids are unique upstream, so they cannot repeat.)
-- The survivor: the member with a musicbrainz_id, then the earliest created.
-- Why: users collect, rate and get recommended both copies; the app's own fix
-- was to re-point collection rows and delete the duplicate by hand.
-- Fix suggested: merge_duplicate into the survivor (re-pointing every reference).
WITH primary_artist AS (
    SELECT album_id, min(artist_id) AS artist_id FROM album_artists
    WHERE role = 'primary' AND position = 0 AND _lf_deleted_at IS NULL GROUP BY album_id
), norm AS (
    SELECT a.id, a.title, a.discogs_id, a.musicbrainz_id, a.created_at,
           trim(regexp_replace(lower(strip_accents(a.title)), '[^\p{L}\p{N}]+', ' ', 'g'))
               AS key_title,
           p.artist_id
    FROM albums a LEFT JOIN primary_artist p ON p.album_id = a.id WHERE a._lf_deleted_at IS NULL
), pairs AS (
    SELECT 'title+artist' AS matched_on, list(id ORDER BY id) AS members FROM norm
    WHERE key_title <> '' AND artist_id IS NOT NULL GROUP BY key_title, artist_id
        HAVING count(*) > 1
    UNION ALL
    SELECT 'discogs_id', list(id ORDER BY id) FROM norm WHERE discogs_id IS NOT NULL
        GROUP BY discogs_id HAVING count(*) > 1
), members AS (
    SELECT DISTINCT p.members, unnest(p.members) AS id,
           array_to_string(
               list_sort(list(DISTINCT p.matched_on) OVER (PARTITION BY p.members)), ', '
           ) AS matched_on
    FROM pairs p
), ranked AS (
    SELECT m.members, m.matched_on, n.*,
           first_value(n.id) OVER (
               PARTITION BY m.members ORDER BY n.musicbrainz_id IS NULL, n.created_at, n.id
           ) AS survivor
    FROM members m JOIN norm n ON n.id = m.id
)
SELECT DISTINCT id::VARCHAR AS entity_id, title, survivor::VARCHAR AS "group",
    survivor::VARCHAR AS survivor,
       matched_on, array_length(members) AS group_size, []::VARCHAR[] AS evidence
FROM ranked
ORDER BY "group", entity_id
