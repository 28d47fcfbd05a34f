-- The music-catalog app's PostgreSQL schema, as its Prisma migrations create it
-- (see shared/SCHEMA.md). This is the fixture schema for the tests and the
-- schema of every demo database: for the workbench it must be
-- indistinguishable from the real app's database. Quoting, type names,
-- constraint and index names follow Prisma's conventions.

CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- Enums ---------------------------------------------------------------------
CREATE TYPE "LlamaLogCategory" AS ENUM ('CREATED', 'ENRICHED', 'CORRECTED', 'CACHED', 'FAILED', 'LINKED', 'USER_ACTION');
CREATE TYPE "EnrichmentStatus" AS ENUM ('UNENRICHED', 'QUEUED', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'SUCCESS', 'PARTIAL_SUCCESS', 'NO_DATA_AVAILABLE', 'SKIPPED', 'PREVIEW', 'BASIC');
CREATE TYPE "EnrichmentEntityType" AS ENUM ('ARTIST', 'ALBUM', 'TRACK');
CREATE TYPE "DataQuality" AS ENUM ('LOW', 'MEDIUM', 'HIGH');
CREATE TYPE "ContentSource" AS ENUM ('DEEZER', 'DISCOGS', 'LISTENBRAINZ', 'MUSICBRAINZ', 'SPOTIFY', 'YOUTUBE', 'BANDCAMP', 'SOUNDCLOUD', 'USER_SUBMITTED');
CREATE TYPE "SyncJobType" AS ENUM ('SPOTIFY_NEW_RELEASES', 'SPOTIFY_FEATURED_PLAYLISTS', 'MUSICBRAINZ_NEW_RELEASES', 'MUSICBRAINZ_SYNC', 'DISCOGS_SYNC', 'ENRICHMENT_BATCH', 'LISTENBRAINZ_FRESH_RELEASES', 'DEEZER_EDITORIAL_RELEASES');
CREATE TYPE "SyncJobStatus" AS ENUM ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED');
CREATE TYPE "AlbumGameStatus" AS ENUM ('APPROVED', 'EXCLUDED', 'NONE');
CREATE TYPE "UserRole" AS ENUM ('USER', 'MODERATOR', 'ADMIN', 'OWNER');

-- Prisma's own bookkeeping (present in every Prisma database; tolerated) ----
CREATE TABLE "_prisma_migrations" (
    "id" VARCHAR(36) NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "_prisma_migrations_pkey" PRIMARY KEY ("id")
);

-- Users (legacy quoted CamelCase table, text id) -----------------------------
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "name" TEXT,
    "email" TEXT,
    "emailVerified" TIMESTAMP(3),
    "image" TEXT,
    "username" TEXT,
    "bio" TEXT,
    "role" "UserRole" NOT NULL DEFAULT 'USER',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

-- Catalog -------------------------------------------------------------------
CREATE TABLE "artists" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "musicbrainz_id" UUID,
    "spotify_id" TEXT,
    "deezer_id" TEXT,
    "discogs_id" VARCHAR(20),
    "name" VARCHAR(255) NOT NULL,
    "biography" TEXT,
    "formed_year" INTEGER,
    "country_code" VARCHAR(2),
    "area" VARCHAR(100),
    "artist_type" VARCHAR(20),
    "genres" TEXT[],
    "image_url" TEXT,
    "cloudflare_image_id" TEXT,
    "search_vector" tsvector,
    "source" "ContentSource" NOT NULL DEFAULT 'MUSICBRAINZ',
    "source_url" TEXT,
    "submitted_by" UUID,
    "data_quality" "DataQuality" DEFAULT 'LOW',
    "enrichment_status" "EnrichmentStatus" DEFAULT 'UNENRICHED',
    "last_enriched" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "artists_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "artists_musicbrainz_id_key" ON "artists"("musicbrainz_id");
CREATE UNIQUE INDEX "artists_spotify_id_key" ON "artists"("spotify_id");
CREATE UNIQUE INDEX "artists_deezer_id_key" ON "artists"("deezer_id");
CREATE INDEX "artists_name_idx" ON "artists"("name");
CREATE INDEX "artists_search_vector_idx" ON "artists" USING GIN ("search_vector");

CREATE TABLE "albums" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "musicbrainz_id" UUID,
    "title" VARCHAR(255) NOT NULL,
    "release_date" DATE,
    "release_type" VARCHAR(50),
    "release_status" VARCHAR(20),
    "release_country" VARCHAR(2),
    "genres" TEXT[],
    "secondary_types" TEXT[],
    "track_count" INTEGER,
    "duration_ms" INTEGER,
    "cover_art_url" TEXT,
    "cloudflare_image_id" TEXT,
    "barcode" VARCHAR(50),
    "label" VARCHAR(255),
    "catalog_number" VARCHAR(100),
    "search_vector" tsvector,
    "spotify_id" VARCHAR(50),
    "spotify_url" TEXT,
    "deezer_id" TEXT,
    "discogs_id" VARCHAR(20),
    "source" "ContentSource" NOT NULL DEFAULT 'MUSICBRAINZ',
    "source_url" TEXT,
    "submitted_by" UUID,
    "data_quality" "DataQuality" DEFAULT 'LOW',
    "enrichment_status" "EnrichmentStatus" DEFAULT 'UNENRICHED',
    "last_enriched" TIMESTAMP(3),
    "metadata" JSONB,
    "game_status" "AlbumGameStatus" NOT NULL DEFAULT 'NONE',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "albums_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "albums_musicbrainz_id_key" ON "albums"("musicbrainz_id");
CREATE UNIQUE INDEX "albums_spotify_id_key" ON "albums"("spotify_id");
CREATE UNIQUE INDEX "albums_deezer_id_key" ON "albums"("deezer_id");
CREATE INDEX "albums_title_idx" ON "albums"("title");
CREATE INDEX "albums_release_date_idx" ON "albums"("release_date");
CREATE INDEX "albums_search_vector_idx" ON "albums" USING GIN ("search_vector");

CREATE TABLE "tracks" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "album_id" UUID NOT NULL,
    "musicbrainz_id" UUID,
    "isrc" VARCHAR(12),
    "title" VARCHAR(255) NOT NULL,
    "track_number" INTEGER NOT NULL,
    "disc_number" INTEGER NOT NULL DEFAULT 1,
    "duration_ms" INTEGER,
    "explicit" BOOLEAN NOT NULL DEFAULT false,
    "preview_url" TEXT,
    "spotify_id" VARCHAR(50),
    "spotify_url" TEXT,
    "youtube_url" TEXT,
    "deezer_id" TEXT,
    "discogs_release_id" VARCHAR(20),
    "discogs_position" VARCHAR(10),
    "energy" DOUBLE PRECISION,
    "valence" DOUBLE PRECISION,
    "danceability" DOUBLE PRECISION,
    "tempo" DOUBLE PRECISION,
    "acousticness" DOUBLE PRECISION,
    "instrumentalness" DOUBLE PRECISION,
    "liveness" DOUBLE PRECISION,
    "loudness" DOUBLE PRECISION,
    "speechiness" DOUBLE PRECISION,
    "key_signature" INTEGER,
    "mode" INTEGER,
    "time_signature" INTEGER,
    "search_vector" tsvector,
    "source" "ContentSource" NOT NULL DEFAULT 'MUSICBRAINZ',
    "source_url" TEXT,
    "submitted_by" UUID,
    "data_quality" "DataQuality" NOT NULL DEFAULT 'LOW',
    "enrichment_status" "EnrichmentStatus" NOT NULL DEFAULT 'UNENRICHED',
    "last_enriched" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "tracks_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "tracks_spotify_id_key" ON "tracks"("spotify_id");
CREATE UNIQUE INDEX "tracks_deezer_id_key" ON "tracks"("deezer_id");
CREATE UNIQUE INDEX "tracks_album_id_musicbrainz_id_key" ON "tracks"("album_id", "musicbrainz_id");
CREATE INDEX "tracks_album_id_idx" ON "tracks"("album_id");
CREATE INDEX "tracks_isrc_idx" ON "tracks"("isrc");
CREATE INDEX "tracks_search_vector_idx" ON "tracks" USING GIN ("search_vector");

CREATE TABLE "album_artists" (
    "album_id" UUID NOT NULL,
    "artist_id" UUID NOT NULL,
    "role" VARCHAR(50) NOT NULL DEFAULT 'primary',
    "position" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "album_artists_pkey" PRIMARY KEY ("album_id", "artist_id", "role")
);
CREATE INDEX "album_artists_artist_id_idx" ON "album_artists"("artist_id");

CREATE TABLE "track_artists" (
    "track_id" UUID NOT NULL,
    "artist_id" UUID NOT NULL,
    "role" VARCHAR(50) NOT NULL DEFAULT 'primary',
    "position" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "track_artists_pkey" PRIMARY KEY ("track_id", "artist_id", "role")
);
CREATE INDEX "track_artists_artist_id_idx" ON "track_artists"("artist_id");

-- Batch import jobs ---------------------------------------------------------
CREATE TABLE "sync_jobs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "job_id" VARCHAR(100) NOT NULL,
    "job_type" "SyncJobType" NOT NULL,
    "status" "SyncJobStatus" NOT NULL DEFAULT 'PENDING',
    "started_at" TIMESTAMP(3),
    "completed_at" TIMESTAMP(3),
    "duration_ms" INTEGER,
    "albums_created" INTEGER NOT NULL DEFAULT 0,
    "albums_updated" INTEGER NOT NULL DEFAULT 0,
    "albums_skipped" INTEGER NOT NULL DEFAULT 0,
    "artists_created" INTEGER NOT NULL DEFAULT 0,
    "artists_updated" INTEGER NOT NULL DEFAULT 0,
    "error_message" TEXT,
    "error_code" VARCHAR(50),
    "metadata" JSONB,
    "triggered_by" VARCHAR(50),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "sync_jobs_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "sync_jobs_job_id_key" ON "sync_jobs"("job_id");
CREATE INDEX "sync_jobs_job_type_created_at_idx" ON "sync_jobs"("job_type", "created_at");
CREATE INDEX "sync_jobs_status_idx" ON "sync_jobs"("status");

-- The provenance and audit log ----------------------------------------------
CREATE TABLE "llama_logs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "entity_type" "EnrichmentEntityType",
    "entity_id" UUID,
    "artist_id" UUID,
    "album_id" UUID,
    "track_id" UUID,
    "operation" VARCHAR(100) NOT NULL,
    "category" "LlamaLogCategory" NOT NULL,
    "sources" TEXT[],
    "status" "EnrichmentStatus" NOT NULL,
    "reason" TEXT,
    "fields_enriched" TEXT[],
    "data_quality_before" "DataQuality",
    "data_quality_after" "DataQuality",
    "error_message" TEXT,
    "error_code" VARCHAR(50),
    "retry_count" INTEGER NOT NULL DEFAULT 0,
    "duration_ms" INTEGER,
    "api_call_count" INTEGER NOT NULL DEFAULT 0,
    "metadata" JSONB,
    "preview_data" JSONB,
    "job_id" VARCHAR(100),
    "parent_job_id" VARCHAR(100),
    "root_job_id" VARCHAR(100),
    "is_root_job" BOOLEAN NOT NULL DEFAULT false,
    "triggered_by" VARCHAR(50),
    "user_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "llama_logs_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "llama_logs_album_id_created_at_idx" ON "llama_logs"("album_id", "created_at");
CREATE INDEX "llama_logs_artist_id_created_at_idx" ON "llama_logs"("artist_id", "created_at");
CREATE INDEX "llama_logs_track_id_created_at_idx" ON "llama_logs"("track_id", "created_at");
CREATE INDEX "llama_logs_entity_type_entity_id_idx" ON "llama_logs"("entity_type", "entity_id");
CREATE INDEX "llama_logs_category_created_at_idx" ON "llama_logs"("category", "created_at");
CREATE INDEX "llama_logs_status_created_at_idx" ON "llama_logs"("status", "created_at");
CREATE INDEX "llama_logs_is_root_job_created_at_idx" ON "llama_logs"("is_root_job", "created_at");
CREATE INDEX "llama_logs_operation_idx" ON "llama_logs"("operation");
CREATE INDEX "llama_logs_parent_job_id_idx" ON "llama_logs"("parent_job_id");
CREATE INDEX "llama_logs_root_job_id_idx" ON "llama_logs"("root_job_id");
CREATE INDEX "llama_logs_user_id_idx" ON "llama_logs"("user_id");
CREATE INDEX "llama_logs_sources_idx" ON "llama_logs" USING GIN ("sources");

-- Other tables that point at albums (a merge must discover them from the
-- catalog, never from a hard-coded list) -------------------------------------
CREATE TABLE "Collection" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "isPublic" BOOLEAN NOT NULL DEFAULT false,
    "userId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Collection_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "CollectionAlbum" (
    "id" TEXT NOT NULL,
    "collectionId" TEXT NOT NULL,
    "album_id" UUID NOT NULL,
    "personalRating" INTEGER,
    "personalNotes" TEXT,
    "position" INTEGER NOT NULL DEFAULT 0,
    "addedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CollectionAlbum_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "CollectionAlbum_collectionId_album_id_key" ON "CollectionAlbum"("collectionId", "album_id");

CREATE TABLE "Recommendation" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "basis_album_id" UUID NOT NULL,
    "recommended_album_id" UUID NOT NULL,
    "score" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Recommendation_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Recommendation_userId_basis_album_id_recommended_album_id_key" ON "Recommendation"("userId", "basis_album_id", "recommended_album_id");

CREATE TABLE "marquee_albums" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "album_id" UUID NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "marquee_albums_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "marquee_albums_album_id_key" ON "marquee_albums"("album_id");

CREATE TABLE "uncover_challenges" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "date" DATE NOT NULL,
    "album_id" UUID NOT NULL,
    "max_attempts" INTEGER NOT NULL DEFAULT 6,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "uncover_challenges_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "uncover_challenges_date_key" ON "uncover_challenges"("date");

CREATE TABLE "curated_challenges" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "album_id" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "pinned_date" DATE,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "curated_challenges_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "curated_challenges_sequence_key" ON "curated_challenges"("sequence");

CREATE TABLE "uncover_sessions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "challenge_id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "won" BOOLEAN NOT NULL DEFAULT false,
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMP(3),
    CONSTRAINT "uncover_sessions_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "uncover_guesses" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "session_id" UUID NOT NULL,
    "attempt_number" INTEGER NOT NULL,
    "guessed_album_id" UUID,
    "is_skipped" BOOLEAN NOT NULL DEFAULT false,
    "is_correct" BOOLEAN NOT NULL DEFAULT false,
    "guessed_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "uncover_guesses_pkey" PRIMARY KEY ("id")
);

-- Foreign keys (Prisma adds them after all tables) ---------------------------
ALTER TABLE "tracks" ADD CONSTRAINT "tracks_album_id_fkey" FOREIGN KEY ("album_id") REFERENCES "albums"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "album_artists" ADD CONSTRAINT "album_artists_album_id_fkey" FOREIGN KEY ("album_id") REFERENCES "albums"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "album_artists" ADD CONSTRAINT "album_artists_artist_id_fkey" FOREIGN KEY ("artist_id") REFERENCES "artists"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "track_artists" ADD CONSTRAINT "track_artists_track_id_fkey" FOREIGN KEY ("track_id") REFERENCES "tracks"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "track_artists" ADD CONSTRAINT "track_artists_artist_id_fkey" FOREIGN KEY ("artist_id") REFERENCES "artists"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "llama_logs" ADD CONSTRAINT "llama_logs_artist_id_fkey" FOREIGN KEY ("artist_id") REFERENCES "artists"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "llama_logs" ADD CONSTRAINT "llama_logs_album_id_fkey" FOREIGN KEY ("album_id") REFERENCES "albums"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "llama_logs" ADD CONSTRAINT "llama_logs_track_id_fkey" FOREIGN KEY ("track_id") REFERENCES "tracks"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "llama_logs" ADD CONSTRAINT "llama_logs_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "Collection" ADD CONSTRAINT "Collection_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "CollectionAlbum" ADD CONSTRAINT "CollectionAlbum_collectionId_fkey" FOREIGN KEY ("collectionId") REFERENCES "Collection"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "CollectionAlbum" ADD CONSTRAINT "CollectionAlbum_album_id_fkey" FOREIGN KEY ("album_id") REFERENCES "albums"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Recommendation" ADD CONSTRAINT "Recommendation_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Recommendation" ADD CONSTRAINT "Recommendation_basis_album_id_fkey" FOREIGN KEY ("basis_album_id") REFERENCES "albums"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Recommendation" ADD CONSTRAINT "Recommendation_recommended_album_id_fkey" FOREIGN KEY ("recommended_album_id") REFERENCES "albums"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "marquee_albums" ADD CONSTRAINT "marquee_albums_album_id_fkey" FOREIGN KEY ("album_id") REFERENCES "albums"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "uncover_challenges" ADD CONSTRAINT "uncover_challenges_album_id_fkey" FOREIGN KEY ("album_id") REFERENCES "albums"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "curated_challenges" ADD CONSTRAINT "curated_challenges_album_id_fkey" FOREIGN KEY ("album_id") REFERENCES "albums"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "uncover_sessions" ADD CONSTRAINT "uncover_sessions_challenge_id_fkey" FOREIGN KEY ("challenge_id") REFERENCES "uncover_challenges"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "uncover_sessions" ADD CONSTRAINT "uncover_sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "uncover_guesses" ADD CONSTRAINT "uncover_guesses_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "uncover_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "uncover_guesses" ADD CONSTRAINT "uncover_guesses_guessed_album_id_fkey" FOREIGN KEY ("guessed_album_id") REFERENCES "albums"("id") ON DELETE SET NULL ON UPDATE CASCADE;
