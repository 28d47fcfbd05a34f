-- job_edges: one row per distinct job of llama_logs with the parent it names.
--
-- What: llama_logs.job_id is not unique (one queue job writes several rows) and
-- nothing stops two rows of one job from naming different parents. The job's
-- parent is the non-null parent_job_id most of its rows name (ties: the one
-- named first); `conflicting_parents` counts the other distinct parents.
-- Why: every lineage computation walks job -> parent; a walk over rows instead
-- of jobs fans out (the upstream backfill's mistake).
-- Fix suggested: none here; conflicts are evidence for a person to read.
CREATE OR REPLACE TEMP TABLE _lf_job_edges AS
WITH per_parent AS (
    SELECT job_id, parent_job_id AS parent, count(*) AS n_rows, min(created_at) AS first_at
    FROM llama_logs
    WHERE job_id IS NOT NULL
    GROUP BY job_id, parent_job_id
), ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY job_id ORDER BY parent IS NULL, n_rows DESC, first_at, parent) AS rank,
           count(parent) OVER (PARTITION BY job_id) AS named_parents
    FROM per_parent
)
SELECT job_id, parent, greatest(named_parents - 1, 0) AS conflicting_parents
FROM ranked
WHERE rank = 1
