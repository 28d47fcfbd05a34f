-- Hostile rows a real production database can hold, added to an upstream-shaped database
-- (the demo loaded, say): a :depth-deep job chain deep-0 <- deep-1 <- ... (deep-0 is the root),
-- an album created at each end of PostgreSQL's timestamp range, an artist whose name carries
-- terminal escape sequences, and an album titled in CJK. Used by bench/deep_chain.py and the
-- acceptance test (tests/test_hostile.py).
INSERT INTO llama_logs (id, operation, category, status, job_id, parent_job_id, root_job_id,
                        is_root_job, triggered_by, created_at)
SELECT gen_random_uuid(), 'enrichment:album', 'ENRICHED', 'SUCCESS', 'deep-' || k,
       CASE WHEN k > 0 THEN 'deep-' || (k - 1) END, 'deep-0', k = 0, 'scheduled',
       timestamp '2025-01-01' + k * interval '1 second'
FROM generate_series(0, :depth - 1) AS k;

INSERT INTO artists (id, name, updated_at) VALUES
    ('00000000-0000-4000-8000-00000000e5c0',
     E'Evil\x1b[2J\x1b[H\x1b]0;pwned\x07 Artist', now());
INSERT INTO albums (id, title, created_at, updated_at) VALUES
    ('00000000-0000-4000-8000-0000000000a1', 'Far Future Album', '294276-12-31 23:59:59.999',
     now()),
    ('00000000-0000-4000-8000-0000000000a2', 'Far Past Album', '4713-01-01 00:00:00 BC', now()),
    ('00000000-0000-4000-8000-0000000000a3', '三屍 (Sanshi)', '2024-05-01', now());
INSERT INTO album_artists (album_id, artist_id) VALUES
    ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-00000000e5c0'),
    ('00000000-0000-4000-8000-0000000000a3', '00000000-0000-4000-8000-00000000e5c0');
INSERT INTO llama_logs (id, album_id, entity_type, entity_id, operation, category, status, job_id,
                        is_root_job, created_at)
VALUES
    (gen_random_uuid(), '00000000-0000-4000-8000-0000000000a1', 'ALBUM',
     '00000000-0000-4000-8000-0000000000a1', 'album:created:spotify-sync', 'CREATED', 'SUCCESS',
     'far-future-job', true, '294276-12-31 23:59:59.999'),
    (gen_random_uuid(), '00000000-0000-4000-8000-0000000000a2', 'ALBUM',
     '00000000-0000-4000-8000-0000000000a2', 'album:created:spotify-sync', 'CREATED', 'SUCCESS',
     'far-past-job', true, '4713-01-01 00:00:00 BC');
