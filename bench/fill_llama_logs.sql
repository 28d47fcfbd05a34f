-- Fill llama_logs with :rows upstream-shaped rows, server-side (no client round trips).
-- About 600 bytes a row in the heap: 2M rows are 1.2 GB in PostgreSQL, 1.9 GB with the upstream indexes.
-- Used by bench/snapshot.py; run with psql -v rows=2000000 -v start=0 -v base=2025-01-01 -f bench/fill_llama_logs.sql
-- (one row every 7 seconds from base: keep base + rows * 7 s in the past)
-- (base=now stamps every row with the current time, as the app's writers do)
INSERT INTO llama_logs (id, entity_type, entity_id, album_id, operation, category, sources, status, reason,
    fields_enriched, data_quality_before, data_quality_after, error_message, retry_count, duration_ms,
    api_call_count, metadata, job_id, parent_job_id, root_job_id, is_root_job, triggered_by, created_at)
SELECT gen_random_uuid(),
       'ALBUM',
       gen_random_uuid(),
       NULL,
       (ARRAY['enrichment:album','check:album-enrichment','cache:album-cover-art','album:created:spotify-sync','musicbrainz:sync-new-releases'])[1 + g % 5],
       (ARRAY['ENRICHED','CREATED','CACHED','CREATED','CREATED']::"LlamaLogCategory"[])[1 + g % 5],
       ARRAY['MUSICBRAINZ','SPOTIFY'],
       (ARRAY['SUCCESS','NO_DATA_AVAILABLE','FAILED','PARTIAL_SUCCESS']::"EnrichmentStatus"[])[1 + g % 4],
       'Enrichment pass ' || g || ': searched MusicBrainz release groups by title and primary artist',
       ARRAY['musicbrainzId','releaseDate','coverArtUrl'],
       'LOW', 'MEDIUM',
       CASE WHEN g % 4 = 2 THEN 'MusicBrainz API returned 503 Service Unavailable' END,
       g % 3, 100 + g % 5000, 1 + g % 4,
       jsonb_build_object('syncSource', 'spotify_search', 'jobId', 'spotify-sync-album-' || g,
                          'albumTitle', 'Album title number ' || g, 'matchScore', (g % 100) / 100.0,
                          'searchQuery', 'release:"Album ' || g || '" AND artist:"Artist ' || (g % 9973) || '"'),
       'job-' || (g / 3),
       CASE WHEN g % 3 > 0 THEN 'job-' || (g / 9) END,
       CASE WHEN g % 3 = 0 THEN 'job-' || (g / 3) END,
       g % 3 = 0,
       (ARRAY['scheduled','admin_ui','manual','graphql'])[1 + g % 4],
       CASE WHEN :'base' = 'now' THEN now()::timestamp(3) ELSE :'base'::timestamp + (g * interval '7 seconds') END
FROM generate_series(:start, :start + :rows - 1) AS g;
