-- upstream_backfill_roots: root_job_id as the app's own backfill computed it, reproduced.
--
-- What: the upstream migration walked parent_job_id upwards with a recursive
-- query limited to depth 10, joining on job_id -- which is not unique, so a
-- walk fans out over every row of the parent job, and a row whose job has
-- several parents gets one of several roots.
-- Why: to show, row by row, where that method and the unlimited, job-level
-- inference disagree (chains deeper than 10, loops, conflicting parents).
-- Fix suggested: backfill root_job_id from the inferred root instead.
WITH RECURSIVE walk(id, cur, parent, depth) AS (
    SELECT id, job_id, parent_job_id, 0
    FROM llama_logs
    WHERE job_id IS NOT NULL
    UNION ALL
    SELECT w.id, p.job_id, p.parent_job_id, w.depth + 1
    FROM walk w
    JOIN llama_logs p ON p.job_id = w.parent
    WHERE w.depth < 10
), ends AS (
    SELECT id, cur, depth,
           max(depth) OVER (PARTITION BY id) AS deepest
    FROM walk
)
SELECT id::VARCHAR AS id, min(cur) AS upstream_root, max(depth) AS steps, count(DISTINCT cur) AS candidate_roots
FROM ends
WHERE depth = deepest
GROUP BY id
